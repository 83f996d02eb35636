// The console's logic that needs no page: diffs, the three-way merge of the conflict view, grants, and the
// environment's key store (order, duplicates, deletions, tree counts). Run by node --test (ConsoleInTheBrowserTest).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffLines, merge, parseJson } from '../../src/diff.js';
import { isUnder, may, readRoots } from '../../src/grants.js';
import { EnvStore } from '../../src/store.js';

test('a line diff keeps common lines and marks removed and added ones', () => {
  assert.deepEqual(diffLines('a\nb\nc', 'a\nx\nc'), [
    { op: ' ', line: 'a' }, { op: '-', line: 'b' }, { op: '+', line: 'x' }, { op: ' ', line: 'c' }]);
  assert.deepEqual(diffLines('', 'new'), [{ op: '+', line: 'new' }]);
  assert.deepEqual(diffLines('same', 'same'), [{ op: ' ', line: 'same' }]);
});

test('the merge takes each side\'s own changes and names the members changed on both', () => {
  const base = { rate: 100, burst: 10, mode: 'a' };
  assert.deepEqual(merge(base, { rate: 200, burst: 10, mode: 'a' }, { rate: 100, burst: 50, mode: 'a' }),
    { value: { rate: 200, burst: 50, mode: 'a' }, conflicts: [] });
  assert.deepEqual(merge(base, { ...base, mode: 'theirs' }, { ...base, mode: 'yours' }),
    { value: { ...base, mode: 'yours' }, conflicts: ['mode'] });
  assert.deepEqual(merge(base, { rate: 100, mode: 'a' }, { ...base, extra: true }).value, { rate: 100, mode: 'a', extra: true });
  assert.deepEqual(merge('x', 'theirs', 'yours'), { value: 'yours', conflicts: ['(the whole value)'] });
  assert.deepEqual(merge({ a: { b: 1, c: 1 } }, { a: { b: 2, c: 1 } }, { a: { b: 1, c: 2 } }).value, { a: { b: 2, c: 2 } });
});

test('invalid JSON says where it goes wrong', () => {
  assert.equal(parseJson('{"a": 1}').ok, true);
  const bad = parseJson('{\n  "a": 1,\n}');
  assert.equal(bad.ok, false);
  assert.match(bad.error, /line 3/);
});

test('grants cover whole segments, and an environment is read from its fewest prefixes', () => {
  assert.equal(isUnder('services.payment.url', 'services.payment'), true);
  assert.equal(isUnder('services.payments', 'services.payment'), false);
  const me = { grants: [{ env: 'production', prefix: 'services.payment', access: 'read' },
    { env: '*', prefix: 'services', access: 'read' }, { env: 'staging', prefix: 'services.payment', access: 'write' }] };
  assert.deepEqual(readRoots(me, 'production'), ['services']);
  assert.equal(may(me, 'write', 'staging', 'services.payment.pool'), true);
  assert.equal(may(me, 'write', 'production', 'services.payment.pool'), false);
  assert.deepEqual(readRoots({ grants: [{ env: 'staging', prefix: 'a', access: 'read' }] }, 'production'), []);
});

test('the key store keeps keys sorted, drops what it has seen, applies deletions and counts the tree', () => {
  const store = new EnvStore('production');
  const change = (key, revision, extra = {}) => ({ key, env: 'production', value: revision, version: 1, revision, ...extra });
  store.apply([change('b.x', 3), change('a.y.z', 1), change('a.y', 2), change('a-b', 4)]);
  assert.deepEqual(store.keys, ['a-b', 'a.y', 'a.y.z', 'b.x']);
  assert.deepEqual(store.keysUnder('a'), ['a.y', 'a.y.z']);
  assert.deepEqual(store.children('').map((c) => [c.segment, c.count, c.hasPrefixes]), [['a-b', 1, false], ['a', 2, true], ['b', 1, false]]);
  assert.equal(store.apply([change('b.x', 3)], true).length, 0, 'a duplicate revision is dropped');
  store.apply([change('b.x', 5, { deleted: true })], true);
  assert.equal(store.apply([change('b.x', 4)]).length, 0, 'an older snapshot row does not bring a deleted key back');
  assert.deepEqual(store.keys, ['a-b', 'a.y', 'a.y.z']);
  store.apply([change('a.w', 6)], true);
  assert.deepEqual(store.keysUnder('a', 'w'), ['a.w']);
  assert.equal(store.count('a'), 3);
});
