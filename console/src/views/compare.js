// Compare environments: one prefix in two environments side by side: only here, only there, different
// (and how many are the same); copy the selected rows from A to B in one transaction (POST /v1/txn), each
// op expecting the version of B that was compared, so that nothing is copied over a change made meanwhile.
import { confirmDialog, fill, h, notify, uid } from '../dom.js';
import { pretty, sameJson } from '../diff.js';
import { may } from '../grants.js';

export class CompareView {
  constructor(app) {
    this.app = app;
  }

  mount(container, route) {
    const envs = this.app.environments;
    const params = route.params;
    this.left = h('select', null, envs.map((env) => h('option', { value: env, selected: env === (params.get('from') ?? envs[0]) }, env)));
    this.right = h('select', null, envs.map((env) => h('option', { value: env, selected: env === (params.get('to') ?? envs[envs.length - 1]) }, env)));
    this.prefix = h('input', { type: 'text', value: params.get('prefix') ?? '', placeholder: 'e.g. services.payment', spellcheck: 'false' });
    this.results = h('div', { class: 'compare-results', 'aria-live': 'polite' });
    const ids = [uid('from'), uid('to'), uid('prefix')];
    [this.left.id, this.right.id, this.prefix.id] = ids;
    container.append(h('section', { class: 'compare', 'aria-labelledby': 'compare-title' },
      h('h1', { id: 'compare-title' }, 'Compare environments'),
      h('form', {
        class: 'compare-form',
        onsubmit: (event) => { event.preventDefault(); this.compare(); },
      },
      h('div', { class: 'field' }, h('label', { for: ids[2] }, 'Prefix'), this.prefix),
      h('div', { class: 'field' }, h('label', { for: ids[0] }, 'Environment A'), this.left),
      h('div', { class: 'field' }, h('label', { for: ids[1] }, 'Environment B'), this.right),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Compare'))),
      this.results));
    if (params.get('from')) {
      this.compare();
    }
  }

  async compare() {
    const [a, b, prefix] = [this.left.value, this.right.value, this.prefix.value.trim()];
    history.replaceState(null, '', `#/compare?${new URLSearchParams({ from: a, to: b, prefix })}`);
    fill(this.results, h('p', null, 'Loading…'));
    let left;
    let right;
    try {
      [left, right] = await Promise.all([this.app.api.entries(a, prefix), this.app.api.entries(b, prefix)]);
    } catch (e) {
      fill(this.results, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    this.a = a;
    this.b = b;
    this.rows = diffEntries(left, right);
    this.render();
  }

  render() {
    const { a, b, rows } = this;
    const counts = { onlyA: 0, onlyB: 0, different: 0, same: 0 };
    rows.forEach((row) => { counts[row.kind] += 1; });
    const shown = rows.filter((row) => row.kind !== 'same');
    // a row may be copied when the token may write its key in B (the node checks again)
    const copyable = a !== b && shown.some((row) => may(this.app.me, 'write', b, row.key));
    this.selected = new Set();
    const copyButton = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => this.copy() },
      `Copy selected from ${a} to ${b}`);
    const toggle = (row, checked) => {
      if (checked) {
        this.selected.add(row.key);
      } else {
        this.selected.delete(row.key);
      }
      copyButton.disabled = this.selected.size === 0;
    };
    fill(this.results,
      h('p', { class: 'summary' }, `${counts.onlyA} only in ${a}, ${counts.onlyB} only in ${b}, ${counts.different} different, ${counts.same} the same.`),
      shown.length === 0 ? h('p', null, 'Nothing differs.') : h('table', { class: 'compare-table' },
        h('caption', null, `${a} compared with ${b}`),
        h('thead', null, h('tr', null,
          copyable ? h('th', { scope: 'col' }, 'Copy') : null,
          h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col' }, a), h('th', { scope: 'col' }, b))),
        h('tbody', null, shown.map((row) => h('tr', { class: row.kind, 'data-key': row.key },
          copyable ? h('td', null, may(this.app.me, 'write', b, row.key)
            ? h('input', {
              type: 'checkbox',
              'aria-label': row.kind === 'onlyB' ? `Delete ${row.key} from ${b}` : `Copy ${row.key} to ${b}`,
              onchange: (event) => toggle(row, event.target.checked),
            }) : '') : null,
          h('td', { class: 'key' }, row.key),
          h('td', null, row.kind === 'onlyA' ? `only in ${a}` : row.kind === 'onlyB' ? `only in ${b}` : 'different'),
          h('td', null, row.left ? h('pre', { class: 'cell' }, pretty(row.left.value)) : '—'),
          h('td', null, row.right ? h('pre', { class: 'cell' }, pretty(row.right.value)) : '—'))))),
      copyable && shown.length > 0 ? h('div', { class: 'actions' }, copyButton) : null);
  }

  /** Copies the selected rows from A to B in one transaction: all of them, or none when B changed meanwhile. */
  async copy() {
    const { a, b } = this;
    const rows = this.rows.filter((row) => this.selected.has(row.key));
    const ops = copyOps(rows, `copied from ${a} in the console`);
    const confirmed = await confirmDialog({
      title: `Copy ${rows.length} ${rows.length === 1 ? 'key' : 'keys'} from ${a} to ${b}?`,
      body: h('div', null,
        h('p', null, 'In one atomic step: every change is made, or none.'),
        h('ul', { class: 'copy-list' }, rows.map((row) => h('li', null,
          row.kind === 'onlyB' ? `delete ${row.key}` : `${row.key} = `, row.kind === 'onlyB' ? null
            : h('code', null, JSON.stringify(row.left.value)))))),
      confirm: 'Copy',
    });
    if (!confirmed) {
      return;
    }
    try {
      const result = await this.app.api.txn(b, { comment: `copied from ${a} in the console`, ops });
      notify(`Copied ${rows.length} ${rows.length === 1 ? 'key' : 'keys'} from ${a} to ${b} in one transaction (revisions ${result.txn}–${result.revision}).`);
    } catch (e) {
      const changed = e.type === 'precondition-failed' || e.type === 'conflict';
      notify(changed ? `Nothing was copied: ${b} changed meanwhile (${e.problem?.key}); compare again.`
        : `Nothing was copied: ${e.message}`, 'error');
    }
    await this.compare();
  }
}

/** The transaction's ops: a put of A's value, or a delete where only B has the key, each expecting B as compared. */
export function copyOps(rows, comment) {
  return rows.map((row) => (row.kind === 'onlyB'
    ? { op: 'delete', key: row.key, expect: row.right.version, comment }
    : {
      op: 'put',
      key: row.key,
      value: row.left.value,
      expect: row.right ? row.right.version : 'absent',
      comment,
      ...(row.left.critical ? { critical: true } : {}),
    }));
}

/** Rows by key: onlyA, onlyB, different or same. */
export function diffEntries(left, right) {
  const byKey = new Map();
  left.forEach((entry) => byKey.set(entry.key, { key: entry.key, left: entry, right: null }));
  right.forEach((entry) => {
    const row = byKey.get(entry.key) ?? { key: entry.key, left: null, right: null };
    row.right = entry;
    byKey.set(entry.key, row);
  });
  return [...byKey.values()].sort((x, y) => (x.key < y.key ? -1 : 1)).map((row) => ({
    ...row,
    kind: !row.right ? 'onlyA' : !row.left ? 'onlyB' : sameJson(row.left.value, row.right.value) ? 'same' : 'different',
  }));
}

export { notify };
