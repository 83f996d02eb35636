// Pending changes: the writes an approval policy holds, with their diff (each key before → after), their author
// and expiry; approve (commits it as the author's) or reject with a reason. Offered only when the token may:
// approve on every key and not the author's own change; the author may withdraw (reject) it.
import { fill, h, notify, time } from '../dom.js';
import { HeldForApproval } from '../api.js';
import { may } from '../grants.js';

const STATUSES = ['pending', 'approved', 'rejected', 'expired', 'all'];

export class PendingView {
  constructor(app) {
    this.app = app;
  }

  mount(container) {
    this.status = h('select', { 'aria-label': 'Status', onchange: () => this.load() },
      STATUSES.map((name) => h('option', { value: name }, name)));
    this.list = h('div', { class: 'pending-list', 'aria-live': 'polite' });
    container.append(h('section', { class: 'pending', 'aria-labelledby': 'pending-title' },
      h('h1', { id: 'pending-title' }, 'Pending changes'),
      h('p', { class: 'hint' }, 'Writes under a prefix with an approval policy wait here until another person approves them.'),
      h('div', { class: 'filters' }, this.status,
        h('button', { type: 'button', onclick: () => this.load() }, 'Refresh')),
      this.list));
    this.load();
  }

  envChanged() {
    this.load();
  }

  async load() {
    const env = this.app.env;
    let page;
    try {
      page = await this.app.api.pending(env, this.status.value);
    } catch (e) {
      fill(this.list, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    if (page.items.length === 0) {
      fill(this.list, h('p', { class: 'empty' }, `No ${this.status.value === 'all' ? '' : `${this.status.value} `}changes in ${env}.`));
      return;
    }
    fill(this.list, page.items.map((change) => this.card(change)),
      page.next ? h('p', { class: 'hint' }, 'Showing the first 100: decide on these to see more.') : null);
  }

  card(change) {
    const me = this.app.me;
    const pending = change.status === 'pending';
    const approvals = change.approvals ?? [];
    const approvedByMe = approvals.includes(me.name);
    const mayApprove = pending && !change.stale && change.author !== me.name && !approvedByMe
      && change.ops.every((op) => may(me, 'approve', change.env, op.key));
    const mayReject = pending && (change.author === me.name || mayApprove);
    const error = h('p', { class: 'error', 'aria-live': 'polite' });
    const reason = h('input', { type: 'text', maxlength: '1024', spellcheck: 'false', 'aria-label': 'Reason for rejecting', placeholder: 'why (needed to reject)' });
    const rows = change.ops.map((op) => h('tr', null,
      h('td', null, op.op),
      h('td', { class: 'key' }, op.key),
      h('td', null, op.before.deleted ? '(absent)' : `${show(op.before.value)} (v${op.before.version})`),
      h('td', null, op.op === 'delete' ? '(deleted)' : op.op === 'check' ? '(checked)' : show(op.value))));
    return h('article', { class: 'pending-change', 'data-id': change.id, 'aria-label': `Change ${change.id} by ${change.author}` },
      h('h2', null, `${change.ops.length === 1 ? change.ops[0].key : `${change.ops.length} keys, one transaction`}`),
      h('p', { class: 'meta' }, `${change.status} · by ${change.author} · ${time(change.createdAt)} · expires ${time(change.expiresAt)}`,
        change.comment ? ` · “${change.comment}”` : ''),
      h('table', { class: 'pending-ops' },
        h('thead', null, h('tr', null, h('th', null, 'Op'), h('th', null, 'Key'), h('th', null, 'Before'), h('th', null, 'After'))),
        h('tbody', null, rows)),
      pending && (change.approvalsNeeded > 1 || approvals.length > 0) ? h('p', { class: 'approvals' },
        approvals.length === 0 ? `No approval yet: ${change.approvalsNeeded} needed`
          : `Approved by ${approvals.join(', ')}: ${approvals.length} of ${change.approvalsNeeded}`,
        approvedByMe ? ' (you approved it: another person gives the next)' : '') : null,
      change.decidedBy ? h('p', { class: 'meta' }, `${change.status} by ${change.decidedBy}`, change.reason ? `: ${change.reason}` : '',
        change.revision != null ? ` · revision ${change.revision}` : '') : null,
      change.stale ? h('p', { class: 'conflict', role: 'note' }, 'Conflict: ',
        change.ops.filter((op) => op.currentVersion !== op.before.version)
          .map((op) => `${op.key} moved on (v${op.before.version} → now v${op.currentVersion})`).join(', '),
        ' since this was proposed; it can no longer be approved: reject it and propose it again.') : null,
      pending && change.author === me.name ? h('p', { class: 'hint' }, 'Your own change: another person approves it.') : null,
      mayApprove || mayReject ? h('div', { class: 'actions' },
        mayApprove ? h('button', { type: 'button', class: 'primary', onclick: () => this.approve(change, error) }, 'Approve') : null,
        mayReject ? reason : null,
        mayReject ? h('button', { type: 'button', onclick: () => this.reject(change, reason, error) }, change.author === me.name ? 'Withdraw' : 'Reject') : null)
        : null,
      error);
  }

  async approve(change, error) {
    try {
      const done = await this.app.api.approve(change.id);
      notify(`Approved: committed at revision ${done.revision}`, 'success');
      this.load();
    } catch (e) {
      if (e instanceof HeldForApproval) { // 202: recorded, more approvers needed
        notify(`Approval recorded: ${e.pending.approvals.length} of ${e.pending.approvalsNeeded}, waiting for more`, 'success');
        this.load();
        return;
      }
      error.textContent = `Not approved: ${e.message}`;
    }
  }

  async reject(change, reason, error) {
    if (!reason.value.trim()) {
      error.textContent = 'Give a reason to reject it.';
      reason.focus();
      return;
    }
    try {
      await this.app.api.reject(change.id, reason.value.trim());
      notify('Rejected: it will never be written', 'success');
      this.load();
    } catch (e) {
      error.textContent = `Not rejected: ${e.message}`;
    }
  }
}

function show(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
