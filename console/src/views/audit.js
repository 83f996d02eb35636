// The audit log with filters (environment, prefix, actor, time range), oldest first, each row linking
// to the version it recorded.
import { fill, h, time, uid } from '../dom.js';

export class AuditView {
  constructor(app) {
    this.app = app;
  }

  mount(container) {
    const envs = this.app.environments;
    const ids = [uid('aenv'), uid('aprefix'), uid('aactor'), uid('afrom'), uid('ato')];
    this.env = h('select', { id: ids[0] }, h('option', { value: '' }, 'every environment'), envs.map((env) => h('option', { value: env }, env)));
    this.prefix = h('input', { id: ids[1], type: 'text', spellcheck: 'false' });
    this.actor = h('input', { id: ids[2], type: 'text', spellcheck: 'false' });
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    this.from = h('input', { id: ids[3], type: 'datetime-local', value: local(dayAgo) });
    this.to = h('input', { id: ids[4], type: 'datetime-local' });
    this.results = h('div', { class: 'audit-results' });
    container.append(h('section', { class: 'audit', 'aria-labelledby': 'audit-title' },
      h('h1', { id: 'audit-title' }, 'Audit log'),
      h('form', { class: 'audit-form', onsubmit: (event) => { event.preventDefault(); this.search(); } },
        h('div', { class: 'field' }, h('label', { for: ids[0] }, 'Environment'), this.env),
        h('div', { class: 'field' }, h('label', { for: ids[1] }, 'Prefix'), this.prefix),
        h('div', { class: 'field' }, h('label', { for: ids[2] }, 'Actor'), this.actor),
        h('div', { class: 'field' }, h('label', { for: ids[3] }, 'From'), this.from),
        h('div', { class: 'field' }, h('label', { for: ids[4] }, 'To'), this.to),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search'))),
      this.results));
    this.search();
  }

  envChanged() {}

  async search() {
    this.items = [];
    this.cursor = null;
    this.until = this.to.value ? new Date(this.to.value) : null;
    this.params = {
      env: this.env.value, prefix: this.prefix.value.trim(), updatedBy: this.actor.value.trim(),
      since: this.from.value ? new Date(this.from.value).toISOString() : '', limit: 100,
    };
    await this.more();
  }

  async more() {
    const params = this.params;
    try {
      const page = await this.app.api.audit({ ...params, cursor: this.cursor });
      // a search started while this page was on its way fills the list itself (this one would add its rows again)
      if (params !== this.params) return;
      const inRange = page.items.filter((item) => !this.until || new Date(item.updatedAt) <= this.until);
      this.items.push(...inRange);
      this.cursor = inRange.length < page.items.length ? null : page.next;
    } catch (e) {
      if (params === this.params) fill(this.results, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    this.render();
  }

  render() {
    fill(this.results,
      h('p', { class: 'summary', 'aria-live': 'polite' }, `${this.items.length} change${this.items.length === 1 ? '' : 's'}${this.cursor ? ' so far' : ''}`),
      h('table', { class: 'audit-table' },
        h('caption', null, 'Changes, oldest first'),
        h('thead', null, h('tr', null, ['When', 'Revision', 'Environment', 'Key', 'Version', 'Actor', 'Change', 'Comment']
          .map((title) => h('th', { scope: 'col' }, title)))),
        h('tbody', null, this.items.map((item) => h('tr', null,
          h('td', null, time(item.updatedAt)),
          h('td', null, String(item.revision)),
          h('td', null, item.env),
          h('td', { class: 'key' }, item.key),
          h('td', null, h('a', {
            href: `#/browse/${encodeURIComponent(item.env)}/${encodeURIComponent(item.key)}?view=history&version=${item.version}`,
            'aria-label': `${item.key} version ${item.version} in ${item.env}`,
          }, `v${item.version}`)),
          h('td', null, item.updatedBy),
          h('td', null, item.deleted ? 'deleted' : item.previousVersion ? `v${item.previousVersion} → v${item.version}` : 'created'),
          h('td', { class: 'comment' }, item.comment ?? ''))))),
      this.cursor ? h('button', { type: 'button', onclick: () => this.more() }, 'More') : null);
  }
}

function local(date) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
  return shifted.toISOString().slice(0, 16);
}
