// Import / Export: a prefix of an environment as JSON, YAML or .properties (GET /v1/export), and a file imported
// back (POST /v1/import): Preview is the dry run (added, changed, removed, unchanged), Import writes it in one
// transaction. Nothing is written without a preview of exactly that text first.
import { fill, h, uid } from '../dom.js';

const FORMATS = ['json', 'yaml', 'properties'];

export class ExchangeView {
  constructor(app) {
    this.app = app;
  }

  mount(container) {
    const envs = this.app.environments;
    const ids = [uid('xenv'), uid('xprefix'), uid('xformat'), uid('xtext'), uid('xprune')];
    this.env = h('select', { id: ids[0] }, envs.map((env) => h('option', { value: env, selected: env === this.app.env }, env)));
    this.prefix = h('input', { id: ids[1], type: 'text', spellcheck: 'false', placeholder: 'e.g. services.payment' });
    this.format = h('select', { id: ids[2] }, FORMATS.map((format) => h('option', { value: format }, format)));
    this.text = h('textarea', { id: ids[3], class: 'json', rows: '14', spellcheck: 'false', autocomplete: 'off',
      oninput: () => this.invalidate() });
    this.prune = h('input', { id: ids[4], type: 'checkbox', onchange: () => this.invalidate() });
    this.file = h('input', { type: 'file', 'aria-label': 'Read a file', accept: '.json,.yaml,.yml,.properties',
      onchange: () => this.readFile() });
    this.importButton = h('button', { type: 'button', class: 'primary', disabled: true, onclick: () => this.run(false) }, 'Import');
    this.results = h('div', { class: 'exchange-results', 'aria-live': 'polite' });
    container.append(h('section', { class: 'exchange', 'aria-labelledby': 'exchange-title' },
      h('h1', { id: 'exchange-title' }, 'Import / Export'),
      h('form', { class: 'exchange-form', onsubmit: (event) => { event.preventDefault(); this.run(true); } },
        h('div', { class: 'field' }, h('label', { for: ids[0] }, 'Environment'), this.env),
        h('div', { class: 'field' }, h('label', { for: ids[1] }, 'Prefix'), this.prefix),
        h('div', { class: 'field' }, h('label', { for: ids[2] }, 'Format'), this.format),
        h('div', { class: 'field' }, h('label', { for: ids[3] }, 'File'), this.text, this.file),
        h('div', { class: 'field' }, h('label', { for: ids[4] }, this.prune, ' Delete the keys under the prefix that the file does not hold')),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => this.exportText() }, 'Export'),
          h('button', { type: 'submit' }, 'Preview'),
          this.importButton)),
      this.results));
  }

  envChanged() {}

  invalidate() {
    this.importButton.disabled = true;
  }

  params(dryRun) {
    return { env: this.env.value, prefix: this.prefix.value.trim(), format: this.format.value, dryRun, prune: this.prune.checked };
  }

  async readFile() {
    const [file] = this.file.files;
    if (!file) {
      return;
    }
    this.text.value = await file.text();
    const extension = file.name.split('.').pop().toLowerCase();
    this.format.value = extension === 'yml' ? 'yaml' : FORMATS.includes(extension) ? extension : 'json';
    this.invalidate();
  }

  async exportText() {
    try {
      this.text.value = await this.app.api.exportText(this.env.value, this.prefix.value.trim(), this.format.value);
      this.invalidate();
      fill(this.results, h('p', { class: 'summary' }, `Exported ${this.env.value}${this.prefix.value.trim() ? `:${this.prefix.value.trim()}` : ''} as ${this.format.value}.`));
    } catch (e) {
      fill(this.results, h('p', { class: 'error', role: 'alert' }, e.message));
    }
  }

  async run(dryRun) {
    this.invalidate();
    let answer;
    try {
      answer = await this.app.api.importText(this.params(dryRun), this.text.value);
    } catch (e) {
      fill(this.results, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    this.render(answer);
    this.importButton.disabled = !dryRun || answer.added.length + answer.changed.length + answer.removed.length === 0;
  }

  render(answer) {
    const counts = `${answer.added.length} added, ${answer.changed.length} changed, ${answer.removed.length} removed, ${answer.unchanged.length} unchanged`;
    const outcome = answer.dryRun ? 'Preview: nothing written yet.'
      : answer.revision == null ? 'Nothing to write.' : `Imported in one transaction, at revision ${answer.revision}.`;
    const rows = [
      ...answer.added.map((item) => ({ kind: 'added', key: item.key, before: '—', after: show(item.value) })),
      ...answer.changed.map((item) => ({ kind: 'changed', key: item.key, before: show(item.from), after: show(item.to) })),
      ...answer.removed.map((item) => ({ kind: 'removed', key: item.key, before: show(item.value), after: '—' })),
    ];
    fill(this.results,
      h('p', { class: 'summary' }, `${counts}. ${outcome}`),
      rows.length === 0 ? null : h('table', { class: 'exchange-table' },
        h('caption', null, answer.dryRun ? 'What the import would change' : 'What the import changed'),
        h('thead', null, h('tr', null, ['Key', 'Change', 'Before', 'After'].map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', null, rows.map((row) => h('tr', { class: row.kind, 'data-key': row.key },
          h('td', { class: 'key' }, row.key), h('td', null, row.kind),
          h('td', null, h('pre', { class: 'cell' }, row.before)), h('td', null, h('pre', { class: 'cell' }, row.after)))))));
  }
}

function show(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
