// Tokens (admins of everything): the list, creating one with its grants (the secret shown once, with a
// copy button) and revoking.
import { confirmDialog, field, fill, h, notify, time, uid } from '../dom.js';

const EXPIRIES = [['', 'never'], ['PT12H', '12 hours'], ['P1D', '1 day'], ['P30D', '30 days'], ['P90D', '90 days'], ['P365D', '1 year']];

export class TokensView {
  constructor(app) {
    this.app = app;
  }

  mount(container) {
    this.list = h('div', { class: 'token-list' });
    this.secret = h('div', { class: 'secret-area', 'aria-live': 'polite' });
    container.append(h('section', { class: 'tokens', 'aria-labelledby': 'tokens-title' },
      h('h1', { id: 'tokens-title' }, 'Tokens'),
      this.createForm(),
      this.secret,
      this.list));
    this.load();
  }

  envChanged() {}

  createForm() {
    this.name = h('input', { type: 'text', maxlength: '128', required: true, spellcheck: 'false' });
    this.expiry = h('select', null, EXPIRIES.map(([value, label]) => h('option', { value }, label)));
    this.grants = h('div', { class: 'grants' });
    this.addGrant();
    this.formError = h('p', { class: 'error', 'aria-live': 'polite' });
    return h('form', { class: 'token-form', 'aria-label': 'Create a token', onsubmit: (event) => { event.preventDefault(); this.create(); } },
      h('h2', null, 'Create a token'),
      field('Name', this.name, 'The actor of its changes, e.g. payment-service'),
      field('Expires in', this.expiry),
      h('fieldset', null, h('legend', null, 'Grants'), this.grants,
        h('button', { type: 'button', onclick: () => this.addGrant() }, 'Add grant')),
      this.formError,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create token')));
  }

  addGrant() {
    const n = this.grants.childElementCount + 1;
    const env = h('select', { 'aria-label': `Grant ${n} environment` },
      h('option', { value: '*' }, '* (every environment)'), this.app.me.environments.map((name) => h('option', { value: name }, name)));
    const prefix = h('input', { type: 'text', 'aria-label': `Grant ${n} key prefix`, placeholder: 'key prefix, empty for every key', spellcheck: 'false' });
    const access = h('select', { 'aria-label': `Grant ${n} access` }, ['read', 'write', 'approve', 'admin'].map((name) => h('option', { value: name }, name)));
    const row = h('div', { class: 'grant' }, env, prefix, access,
      h('button', { type: 'button', 'aria-label': `Remove grant ${n}`, onclick: () => { if (this.grants.childElementCount > 1) row.remove(); } }, 'Remove'));
    row.read = () => ({ env: env.value, prefix: prefix.value.trim(), access: access.value });
    this.grants.append(row);
  }

  async create() {
    const body = { name: this.name.value.trim(), grants: [...this.grants.children].map((row) => row.read()) };
    if (this.expiry.value) {
      body.expiresIn = this.expiry.value;
    }
    this.formError.textContent = '';
    try {
      const created = await this.app.api.createToken(body);
      this.showSecret(created);
      this.name.value = '';
      this.load();
    } catch (e) {
      this.formError.textContent = e.message;
    }
  }

  showSecret(created) {
    const id = uid('secret');
    const value = h('input', { id, type: 'text', readonly: true, value: created.token, class: 'secret', spellcheck: 'false' });
    const copied = h('span', { class: 'copied', 'aria-live': 'polite' });
    fill(this.secret, h('div', { class: 'secret-box', role: 'region', 'aria-label': 'New token secret' },
      h('p', null, h('strong', null, `Token “${created.name}” created.`), ' Copy its secret now: it is shown this once and never again.'),
      h('label', { for: id }, 'Secret'),
      h('div', { class: 'secret-row' }, value,
        h('button', {
          type: 'button', class: 'primary',
          onclick: async () => {
            value.select();
            try {
              await navigator.clipboard.writeText(created.token);
              copied.textContent = 'Copied';
            } catch {
              copied.textContent = 'Selected: press Ctrl+C to copy';
            }
          },
        }, 'Copy'), copied),
      h('button', { type: 'button', onclick: () => fill(this.secret) }, 'I have stored it')));
    value.focus();
    value.select();
  }

  async load() {
    let tokens;
    try {
      tokens = (await this.app.api.tokens()).items;
    } catch (e) {
      fill(this.list, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    fill(this.list, h('table', { class: 'tokens-table' },
      h('caption', null, 'Every token (never its secret)'),
      h('thead', null, h('tr', null, ['Name', 'Grants', 'Created', 'Expires', 'Last used', 'State', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, tokens.map((token) => h('tr', { 'data-name': token.name, class: token.revokedAt ? 'revoked' : null },
        h('td', null, token.name),
        h('td', null, h('ul', { class: 'grant-list' }, token.grants.map((g) => h('li', null, `${g.access} on ${g.env}:${g.prefix || '(every key)'}`)))),
        h('td', null, `${time(token.createdAt)}${token.createdBy ? ` by ${token.createdBy}` : ''}`),
        h('td', null, token.expiresAt ? time(token.expiresAt) : 'never'),
        h('td', null, token.lastUsedAt ? time(token.lastUsedAt) : '—'),
        h('td', null, token.revokedAt ? `revoked ${time(token.revokedAt)}` : 'active'),
        h('td', null, token.revokedAt || token.id === this.app.me.tokenId ? null
          : h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${token.name}`, onclick: () => this.revoke(token) }, 'Revoke')))))));
  }

  async revoke(token) {
    const ok = await confirmDialog({
      title: `Revoke ${token.name}?`,
      body: h('p', null, 'Every request and bridge socket using it is refused from now on (on every node within the token cache time).'),
      confirm: 'Revoke', danger: true,
    });
    if (!ok) {
      return;
    }
    try {
      await this.app.api.revokeToken(token.id);
      notify(`Revoked ${token.name}`, 'success');
    } catch (e) {
      notify(`Not revoked: ${e.message}`, 'error');
    }
    this.load();
  }
}
