// One key: its value (as text), editing with a diff before saving (If-Match on the version the edit
// started from), the conflict view when someone saved meanwhile, deletion, history with a diff
// between any two versions, and roll-back with the diff shown first.
import { confirmDialog, field, fill, h, notify, time, uid } from '../dom.js';
import { diffView, merge, pretty } from '../diff.js';
import { may } from '../grants.js';
import { jsonEditor } from './editor.js';

const KEY = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export class EntryView {
  constructor(app, env, key, store) {
    this.app = app;
    this.api = app.api;
    this.env = env;
    this.key = key;
    this.store = store;
    this.mode = 'view';
    this.tab = 'value';
    this.current = null;
    this.gone = false;
  }

  get canWrite() {
    return this.key ? may(this.app.me, 'write', this.env, this.key) : false;
  }

  mount(container, route) {
    this.container = container;
    this.unsubscribe = this.store.subscribe((changes, live) => {
      const mine = changes.filter((change) => change.key === this.key);
      if (live && mine.length > 0) {
        this.changedElsewhere(mine[mine.length - 1]);
      }
    });
    if (!this.key) {
      this.renderNew();
      return;
    }
    this.tab = route.params.get('view') === 'history' ? 'history' : 'value';
    this.wantedVersion = Number(route.params.get('version')) || null;
    this.load();
  }

  update(route) {
    const tab = route.params.get('view') === 'history' ? 'history' : 'value';
    const version = Number(route.params.get('version')) || null;
    if (tab !== this.tab || version !== this.wantedVersion) {
      // choosing the other tab leaves an edit in progress (its text is the person's to copy first)
      this.tab = tab;
      this.mode = 'view';
      this.wantedVersion = version;
      this.load();
    }
  }

  unmount() {
    this.unsubscribe?.();
  }

  async load() {
    try {
      this.current = await this.api.entry(this.env, this.key);
      this.gone = false;
    } catch (e) {
      if (e.status !== 404) {
        fill(this.container, h('p', { class: 'error', role: 'alert' }, e.message));
        return;
      }
      this.current = null;
      this.gone = true;
    }
    this.render();
  }

  /** A live change of this key: shown in place when only viewing; an edit in progress keeps its text. */
  changedElsewhere(change) {
    const what = change.deleted ? 'deleted' : `changed to version ${change.version}`;
    if ((this.mode === 'edit' || this.mode === 'review') && !this.api.isOwn(change)) {
      this.staleLine.textContent = `${change.updatedBy} ${what} while you were editing: saving will show what changed.`;
      return;
    }
    if (this.mode === 'view') {
      if (!this.api.isOwn(change)) {
        notify(`${this.key} ${what} by ${change.updatedBy}`);
      }
      this.load();
    }
  }

  render() {
    fill(this.container);
    const heading = h('h2', { class: 'key-title', tabindex: '-1' }, this.key);
    this.container.append(heading);
    if (this.gone) {
      this.container.append(h('p', { class: 'empty' }, `${this.key} does not exist in ${this.env} (it may have been deleted).`),
        this.historyLink());
      if (this.tab === 'history') {
        this.renderHistory();
      }
      return;
    }
    const record = this.current;
    this.container.append(h('dl', { class: 'meta' },
      h('dt', null, 'Version'), h('dd', { 'data-field': 'version' }, String(record.version)),
      h('dt', null, 'Changed'), h('dd', null, `${time(record.updatedAt)} by ${record.updatedBy}`),
      h('dt', null, 'Comment'), h('dd', { 'data-field': 'comment' }, record.comment ?? '—'),
      h('dt', null, 'Critical'), h('dd', null, record.critical ? 'yes' : 'no')));
    const tabs = h('nav', { class: 'tabs', 'aria-label': 'Key views' },
      this.tabLink('value', 'Value'), this.tabLink('history', 'History'));
    this.container.append(tabs);
    this.panel = h('section', { class: 'tab-panel', 'aria-label': this.tab === 'value' ? 'Value' : 'History' });
    this.container.append(this.panel);
    if (this.tab === 'history') {
      this.renderHistory();
    } else {
      this.renderValue();
    }
  }

  historyLink() {
    return h('a', { href: this.href({ view: 'history' }) }, 'See its history');
  }

  href(params) {
    const query = new URLSearchParams(params).toString();
    return `#/browse/${encodeURIComponent(this.env)}/${encodeURIComponent(this.key)}${query ? `?${query}` : ''}`;
  }

  /** The value and the history are two addresses (links), the current one marked for assistive technology. */
  tabLink(tab, label) {
    return h('a', {
      class: 'tab', href: tab === 'value' ? this.href({}) : this.href({ view: 'history' }),
      'aria-current': this.tab === tab ? 'page' : null,
    }, label);
  }

  renderValue() {
    const record = this.current;
    fill(this.panel,
      h('pre', { class: 'value', tabindex: '0', 'aria-label': `Value of ${this.key}` }, pretty(record.value)),
      this.canWrite ? h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => this.edit() }, 'Edit'),
        h('button', { type: 'button', class: 'danger', onclick: () => this.remove() }, 'Delete')) : null);
  }

  // ---- editing

  edit(text = pretty(this.current.value), base = this.current) {
    this.mode = 'edit';
    this.base = base;
    const review = h('button', { type: 'button', class: 'primary', onclick: () => this.review() }, 'Review changes');
    this.editor = jsonEditor(text, 'Value (JSON)', (parsed) => { review.disabled = !parsed.ok; });
    this.comment = h('input', { type: 'text', maxlength: '1024', value: this.comment?.value ?? '' });
    this.critical = h('input', { type: 'checkbox', checked: Boolean(base.critical) });
    this.staleLine = h('p', { class: 'stale', 'aria-live': 'polite' });
    this.form = h('div', { class: 'edit' },
      h('p', { class: 'editing' }, `Editing version ${base.version}`),
      this.editor.element,
      field('Comment', this.comment, 'Why this change: kept in the history and the audit log.'),
      h('div', { class: 'field check' }, this.critical, h('label', { for: this.critical.id = uid('critical') }, 'Critical (alerts on change)')),
      this.staleLine,
      h('div', { class: 'actions' }, review,
        h('button', { type: 'button', onclick: () => this.cancel() }, 'Cancel')));
    fill(this.panel, this.form);
    this.editor.focus();
  }

  cancel() {
    this.mode = 'view';
    this.comment = null;
    this.render();
  }

  review() {
    if (!this.editor.parsed?.ok) {
      return;
    }
    this.mode = 'review';
    const yours = this.editor.parsed.value;
    const save = h('button', { type: 'button', class: 'primary', onclick: () => this.save(yours, save) }, 'Save');
    const back = h('button', { type: 'button', onclick: () => { this.mode = 'edit'; fill(this.panel, this.form); this.editor.focus(); } }, 'Back to editing');
    fill(this.panel, h('div', { class: 'review' },
      h('h3', null, `Review: version ${this.base.version} → your value`),
      diffView(pretty(this.base.value), pretty(yours), 'Changes to save'),
      this.critical.checked !== Boolean(this.base.critical) ? h('p', null, `Critical: ${this.critical.checked ? 'yes' : 'no'}`) : null,
      this.staleLine,
      h('div', { class: 'actions' }, save, back)));
    save.focus();
  }

  async save(yours, button, ifMatch = this.base.version) {
    button.disabled = true;
    const body = { value: yours, critical: this.critical.checked };
    if (this.comment.value.trim()) {
      body.comment = this.comment.value.trim();
    }
    try {
      const saved = await this.api.put(this.env, this.key, body, { 'If-Match': `"${ifMatch}"` });
      notify(`Saved ${this.key}: version ${saved.version}`, 'success');
      this.mode = 'view';
      this.comment = null;
      this.current = await this.api.entry(this.env, this.key).catch(() => saved);
      this.render();
    } catch (e) {
      button.disabled = false;
      if (e.status === 412) {
        this.conflict(yours);
      } else {
        notify(`Not saved: ${e.message}`, 'error');
      }
    }
  }

  /** Someone saved since the edit began: theirs, yours, and a merge to edit and save on top of theirs. */
  async conflict(yours) {
    this.mode = 'conflict';
    let theirs;
    try {
      theirs = await this.api.entry(this.env, this.key);
    } catch (e) {
      theirs = null;
    }
    const merged = theirs ? merge(this.base.value, theirs.value, yours) : { value: yours, conflicts: [] };
    const saveMerge = h('button', {
      type: 'button', class: 'primary',
      onclick: () => this.save(mergeEditor.parsed.value, saveMerge, theirs ? theirs.version : this.base.version),
    }, 'Save merge');
    const mergeEditor = jsonEditor(pretty(merged.value), 'Merge (JSON): saved on top of theirs', (parsed) => { saveMerge.disabled = !parsed.ok; });
    const heading = h('h3', { tabindex: '-1' }, 'Conflict: someone changed this key while you were editing');
    fill(this.panel, h('section', { class: 'conflict', 'aria-label': 'Conflict' },
      heading,
      h('p', null, theirs ? `Version ${theirs.version} was saved by ${theirs.updatedBy} at ${time(theirs.updatedAt)}; you edited version ${this.base.version}. Nothing was overwritten.`
        : 'The key was deleted meanwhile. Nothing was overwritten.'),
      h('div', { class: 'columns' },
        h('section', { class: 'theirs', 'aria-label': 'Theirs' }, h('h4', null, `Theirs (version ${theirs?.version ?? '—'})`),
          h('pre', { class: 'value', tabindex: '0' }, theirs ? pretty(theirs.value) : '(deleted)')),
        h('section', { class: 'yours', 'aria-label': 'Yours' }, h('h4', null, 'Yours'),
          h('pre', { class: 'value', tabindex: '0' }, pretty(yours)))),
      merged.conflicts.length ? h('p', { class: 'warn' }, `Changed on both sides: ${merged.conflicts.join(', ')} (yours is in the merge; decide before saving).`)
        : h('p', null, 'The merge holds both sides’ changes.'),
      theirs ? diffView(pretty(theirs.value), pretty(merged.value), 'Merge compared with theirs') : null,
      mergeEditor.element,
      h('div', { class: 'actions' }, saveMerge,
        h('button', { type: 'button', onclick: () => { this.mode = 'view'; this.load(); } }, 'Keep theirs'))));
    heading.focus();
  }

  async remove() {
    const comment = h('input', { type: 'text', maxlength: '1024' });
    const ok = await confirmDialog({
      title: `Delete ${this.key}?`,
      body: [h('p', null, `This records a deletion in ${this.env} (version ${this.current.version + 1}); the history is kept and it can be rolled back.`),
        field('Comment', comment)],
      confirm: 'Delete', danger: true,
    });
    if (!ok) {
      return;
    }
    try {
      await this.api.remove(this.env, this.key, this.current.version, comment.value.trim() || undefined);
      notify(`Deleted ${this.key}`, 'success');
      location.hash = `#/browse/${encodeURIComponent(this.env)}`;
    } catch (e) {
      notify(`Not deleted: ${e.status === 412 ? 'someone changed it meanwhile; look again' : e.message}`, 'error');
      this.load();
    }
  }

  // ---- history

  async renderHistory() {
    const target = this.panel ?? this.container;
    const list = h('div', { class: 'history' }, h('p', null, 'Loading history…'));
    fill(target, list);
    let versions = [];
    let cursor = null;
    const load = async () => {
      const page = await this.api.versions(this.env, this.key, cursor);
      versions = [...versions, ...page.items];
      cursor = page.next;
    };
    try {
      await load();
    } catch (e) {
      fill(list, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    const draw = () => {
      const byVersion = new Map(versions.map((v) => [v.version, v]));
      const newest = versions[0];
      const chosen = this.wantedVersion && byVersion.has(this.wantedVersion) ? this.wantedVersion : null;
      const from = h('select', { 'aria-label': 'Compare from version' },
        versions.map((v) => h('option', { value: v.version, selected: v.version === (chosen ?? versions[1]?.version ?? newest.version) }, `v${v.version}`)));
      const to = h('select', { 'aria-label': 'Compare to version' },
        versions.map((v) => h('option', { value: v.version, selected: v.version === newest.version }, `v${v.version}`)));
      const diffArea = h('div', { class: 'diff-area' });
      const showDiff = () => fill(diffArea, diffView(text(byVersion.get(Number(from.value))), text(byVersion.get(Number(to.value))),
        `Version ${from.value} compared with version ${to.value}`));
      from.addEventListener('change', showDiff);
      to.addEventListener('change', showDiff);
      const rows = versions.map((v) => h('tr', { 'data-version': v.version, class: v.version === chosen ? 'chosen' : null },
        h('td', null, `v${v.version}`),
        h('td', null, time(v.updatedAt)),
        h('td', null, v.updatedBy ?? v.createdBy ?? ''),
        h('td', { class: 'comment' }, v.comment ?? ''),
        h('td', null, v.deleted ? 'deleted' : (v.critical ? 'critical' : '')),
        h('td', null, this.canWrite && !v.deleted && v.version !== newest.version && this.current
          ? h('button', { type: 'button', onclick: () => this.rollback(v), 'aria-label': `Roll back to version ${v.version}` }, 'Roll back') : null)));
      fill(list,
        h('div', { class: 'compare-versions' }, h('span', null, 'Compare'), from, h('span', null, 'with'), to),
        diffArea,
        h('table', { class: 'versions' },
          h('caption', null, `History of ${this.key} in ${this.env}, newest first`),
          h('thead', null, h('tr', null, ['Version', 'When', 'Author', 'Comment', 'State', ''].map((title) => h('th', { scope: 'col' }, title)))),
          h('tbody', null, rows)),
        cursor ? h('button', { type: 'button', onclick: async () => { await load(); draw(); } }, 'Older versions') : null);
      showDiff();
    };
    draw();
  }

  async rollback(version) {
    const comment = h('input', { type: 'text', maxlength: '1024' });
    const ok = await confirmDialog({
      title: `Roll back ${this.key} to version ${version.version}?`,
      body: [h('p', null, `This saves version ${version.version}'s value as version ${this.current.version + 1}.`),
        diffView(pretty(this.current.value), pretty(version.value), `Version ${this.current.version} (current) → version ${version.version}`),
        field('Comment', comment)],
      confirm: 'Roll back',
    });
    if (!ok) {
      return;
    }
    try {
      const saved = await this.api.rollback(this.env, this.key, version.version, this.current.version, comment.value.trim() || undefined);
      notify(`Rolled back ${this.key} to version ${version.version}: now version ${saved.version}`, 'success');
      this.current = await this.api.entry(this.env, this.key);
      this.render();
    } catch (e) {
      notify(`Not rolled back: ${e.status === 412 ? 'someone changed it meanwhile; look again' : e.message}`, 'error');
      this.load();
    }
  }

  // ---- creating

  renderNew() {
    const keyInput = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true });
    const create = h('button', { type: 'button', class: 'primary', onclick: () => this.create(keyInput, editor, comment, critical, create) }, 'Create');
    const editor = jsonEditor('""', 'Value (JSON)', (parsed) => { create.disabled = !parsed.ok; });
    const comment = h('input', { type: 'text', maxlength: '1024' });
    const critical = h('input', { type: 'checkbox', id: uid('critical') });
    this.keyError = h('p', { class: 'error', 'aria-live': 'polite' });
    fill(this.container, h('section', { class: 'new-key', 'aria-label': 'New key' },
      h('h2', null, `New key in ${this.env}`),
      field('Key', keyInput, 'Dot-separated segments of letters, digits, _ and -, e.g. services.payment.timeout'),
      this.keyError,
      editor.element,
      field('Comment', comment),
      h('div', { class: 'field check' }, critical, h('label', { for: critical.id }, 'Critical (alerts on change)')),
      h('div', { class: 'actions' }, create, h('a', { class: 'button', href: `#/browse/${encodeURIComponent(this.env)}` }, 'Cancel'))));
    keyInput.focus();
  }

  async create(keyInput, editor, comment, critical, button) {
    const key = keyInput.value.trim();
    if (!KEY.test(key) || key.length > 256) {
      this.keyError.textContent = 'A key is dot-separated segments of A-Z a-z 0-9 _ - (at most 256 characters).';
      keyInput.setAttribute('aria-invalid', 'true');
      keyInput.focus();
      return;
    }
    if (!may(this.app.me, 'write', this.env, key)) {
      this.keyError.textContent = `Your token may not write ${key} in ${this.env}.`;
      return;
    }
    this.keyError.textContent = '';
    const ok = await confirmDialog({
      title: `Create ${key} in ${this.env}?`,
      body: diffView('', pretty(editor.parsed.value), 'New value'),
      confirm: 'Create',
    });
    if (!ok) {
      return;
    }
    button.disabled = true;
    const body = { value: editor.parsed.value, critical: critical.checked };
    if (comment.value.trim()) {
      body.comment = comment.value.trim();
    }
    try {
      await this.api.put(this.env, key, body, { 'If-None-Match': '*' });
      notify(`Created ${key}`, 'success');
      location.hash = `#/browse/${encodeURIComponent(this.env)}/${encodeURIComponent(key)}`;
    } catch (e) {
      button.disabled = false;
      this.keyError.textContent = e.status === 412 ? `${key} already exists in ${this.env}.` : e.message;
    }
  }
}

function text(version) {
  if (!version) {
    return '';
  }
  return version.deleted ? '(deleted)' : pretty(version.value);
}
