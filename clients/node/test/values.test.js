'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { parseWatch, Values, toChange } = require('../lib/values');
const { parseDuration } = require('../lib/typed');
const { ConfigClient } = require('..');

const change = (key, revision, value, extra = {}) => toChange({ key, env: 'production', value, version: revision, revision, ...extra });

test('a change at or below a key\'s revision or a covering watermark is dropped; deletions remove the key', () => {
  const watch = parseWatch('production:services.payment');
  const values = new Values([watch]);
  assert.equal(values.apply(change('services.payment.a', 5, 1)), true);
  assert.equal(values.apply(change('services.payment.a', 5, 1)), false, 'duplicate');
  assert.equal(values.apply(change('services.payment.a', 4, 0)), false, 'older');
  assert.equal(values.apply(change('services.billing.a', 9, 1)), false, 'outside every watch');
  values.advance(watch, 10);
  assert.equal(values.apply(change('services.payment.b', 8, 1)), false, 'at or below the watermark');
  values.advance(watch, 3);
  assert.equal(values.watermark(watch), 10, 'a watermark never goes back');
  assert.equal(values.apply(change('services.payment.a', 11, null, { deleted: true })), true);
  assert.equal(values.current('production', 'services.payment.a'), undefined);
});

test('a live change moves the watermark of every loaded watch covering it, and of no other', () => {
  const payment = parseWatch('production:services.payment');
  const billing = parseWatch('production:services.billing');
  const fresh = parseWatch('production:services');
  const values = new Values([payment, billing, fresh]);
  values.advance(payment, 10);
  values.advance(billing, 10);
  values.advanceLive(change('services.payment.a', 12, 1));
  assert.equal(values.watermark(payment), 12);
  assert.equal(values.watermark(billing), 10, 'not covered');
  assert.equal(values.watermark(fresh), undefined, 'not loaded yet: only a snapshot gives its first watermark');
});

test('a change released late (after later live changes moved the watermark) is applied when newer for its key', () => {
  const watch = parseWatch('production:services.payment');
  const values = new Values([watch]);
  values.advance(watch, 10); // a snapshot at revision 10
  for (const live of [change('services.payment.a', 11, 1), change('services.payment.b', 13, 1)]) {
    assert.equal(values.apply(live), true);
    values.advanceLive(live);
  }
  assert.equal(values.apply(change('services.payment.c', 12, 1)), true, 'revision 12, given up by the node, arrives late');
  assert.equal(values.current('production', 'services.payment.c').value, 1);
  assert.equal(values.watermark(watch), 13, 'the watermark stays');
  assert.equal(values.apply(change('services.payment.a', 11, 0)), false, 'a duplicate of what the key holds');
  values.advance(watch, 20); // a catch-up answered up to 20
  assert.equal(values.apply(change('services.payment.d', 15, 1)), false, 'below what the catch-up made complete');
});

test('while frames carry resumeAfter (a revision given up, not come yet) the watermark goes no further than it', () => {
  const watch = parseWatch('production:services.payment');
  const values = new Values([watch]);
  values.advance(watch, 10);
  values.advanceLive(change('services.payment.a', 11, 1));
  values.advanceLive(change('services.payment.b', 13, 1), 11);
  values.advanceLive(change('services.payment.b', 14, 2), 11);
  assert.equal(values.watermark(watch), 11, 'a resume gets revision 12');
  values.advanceLive(change('services.payment.c', 12, 1));
  assert.equal(values.watermark(watch), 12, 'revision 12 came: frames no longer carry resumeAfter');
  values.advanceLive(change('services.payment.a', 15, 2));
  assert.equal(values.watermark(watch), 15);
});

test('watches parse as env:prefix and refuse what is not a key prefix', () => {
  assert.deepEqual({ ...parseWatch('production:services.payment.') }, {
    env: 'production', prefix: 'services.payment', id: 'production:services.payment', address: 'config.production.services.payment' });
  assert.equal(parseWatch('staging').address, 'config.staging');
  assert.throws(() => parseWatch('production:services..payment'), /is not a key prefix/);
});

test('typed getters read the type asked, give the default for a missing key, and throw for a value of another type', () => {
  const client = new ConfigClient({ nodes: 'http://127.0.0.1:1', watch: 'production:app', EventBus: class {} });
  const put = (key, value) => client.values.apply(change(key, client.values.revisions.size + 1, value));
  put('app.port', '8080');
  put('app.ratio', 1.5);
  put('app.on', 'TRUE');
  put('app.timeout', 'PT2.5S');
  put('app.pool', { max: 4 });
  assert.equal(client.getInt('app.port'), 8080);
  assert.equal(client.getNumber('app.ratio'), 1.5);
  assert.equal(client.getBoolean('app.on'), true);
  assert.equal(client.getDuration('app.timeout'), 2500);
  assert.deepEqual(client.getJson('app.pool'), { max: 4 });
  client.getJson('app.pool').max = 9;
  assert.equal(client.getJson('app.pool').max, 4, 'a copy');
  assert.equal(client.getString('app.absent', 'x'), 'x');
  assert.throws(() => client.getString('app.absent'), /app.absent has no value in production/);
  assert.throws(() => client.getInt('app.ratio', 3), /is a number \(1.5\), not a whole number/);
  assert.throws(() => client.getBoolean('app.pool'), /is a JSON object/);
});

test('durations read as milliseconds from a number and a unit or ISO-8601', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30000);
  assert.equal(parseDuration('5m'), 300000);
  assert.equal(parseDuration('P1DT2H'), 93600000);
  assert.throws(() => parseDuration('soon'), /not a duration/);
  assert.throws(() => parseDuration('PT'), /not a duration/);
});
