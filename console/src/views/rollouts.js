// Rollouts: the gray releases and staged plans of the environment, each with its targeting or its step, what the
// instances watching the key run (per version, on the rollout, failing) and why it stopped; pause, resume, promote
// and abort, offered only while it is live and when the token may write the key.
import { fill, h, notify, time } from '../dom.js';
import { may } from '../grants.js';

const STATES = ['all', 'active', 'paused', 'promoted', 'aborted', 'rolled-back', 'superseded'];
const LIVE = new Set(['active', 'paused']);

export class RolloutsView {
  constructor(app) {
    this.app = app;
  }

  mount(container) {
    this.state = h('select', { 'aria-label': 'State', onchange: () => this.load() },
      STATES.map((name) => h('option', { value: name }, name)));
    this.list = h('div', { class: 'rollout-list', 'aria-live': 'polite' });
    container.append(h('section', { class: 'rollouts', 'aria-labelledby': 'rollouts-title' },
      h('h1', { id: 'rollouts-title' }, 'Rollouts'),
      h('p', { class: 'hint' }, 'A rollout sends a key\'s new value to part of the fleet first: a gray release stays '
        + 'where it is aimed, a staged plan widens by its steps and rolls back by itself on failures.'),
      h('div', { class: 'filters' }, this.state,
        h('button', { type: 'button', onclick: () => this.load() }, 'Refresh')),
      this.list));
    this.load();
  }

  envChanged() {
    this.load();
  }

  async load() {
    this.items = [];
    this.cursor = null;
    this.loaded = { env: this.app.env, state: this.state.value };
    await this.more();
  }

  /** The next page (older rollouts), appended below those shown. */
  async more() {
    const loaded = this.loaded;
    const { env, state } = loaded;
    let page;
    try {
      page = await this.app.api.rollouts(env, state === 'all' ? undefined : state, this.cursor);
    } catch (e) {
      if (loaded === this.loaded) fill(this.list, h('p', { class: 'error', role: 'alert' }, e.message));
      return;
    }
    // a load started while this page was on its way (an action's reload beside a refresh): its own answer fills
    // the list, and this one would add its rollouts a second time
    if (loaded !== this.loaded) return;
    this.items.push(...page.items);
    this.cursor = page.next;
    if (this.items.length === 0) {
      fill(this.list, h('p', { class: 'empty' }, `No ${state === 'all' ? '' : `${state} `}rollouts in ${env}.`));
      return;
    }
    // the newest first: the live ones are the ones an operator comes for
    fill(this.list, this.items.map((rollout) => this.card(rollout)),
      h('p', { class: 'summary' }, `${this.items.length} rollout${this.items.length === 1 ? '' : 's'}${this.cursor ? ', newest first; older ones follow' : ''}`),
      this.cursor ? h('button', { type: 'button', class: 'more', onclick: () => this.more() }, 'More') : null);
  }

  card(rollout) {
    const live = LIVE.has(rollout.state);
    const mayAct = live && may(this.app.me, 'write', rollout.env, rollout.key);
    const error = h('p', { class: 'error', 'aria-live': 'polite' });
    const reason = h('input', { type: 'text', maxlength: '1024', spellcheck: 'false', 'aria-label': 'Reason', placeholder: 'why (optional)' });
    const fleet = rollout.instances ?? {};
    const versions = Object.entries(fleet.versions ?? {});
    return h('article', { class: 'rollout', 'data-id': String(rollout.id), 'data-state': rollout.state,
      'aria-label': `Rollout ${rollout.id} of ${rollout.key}` },
    h('h2', null, `${rollout.key} → ${show(rollout.value)}`),
    h('p', { class: 'meta' }, h('span', { class: 'state' }, rollout.state), ` · rollout ${rollout.id} on v${rollout.baseVersion}`,
      ` · by ${rollout.createdBy} · ${time(rollout.createdAt)}`, rollout.comment ? ` · “${rollout.comment}”` : ''),
    h('p', { class: 'targeting' }, targeting(rollout)),
    h('table', { class: 'rollout-fleet' },
      h('thead', null, h('tr', null, h('th', null, 'Instances'), h('th', null, 'Count'))),
      h('tbody', null,
        h('tr', null, h('td', null, 'connected'), h('td', null, String(fleet.connected ?? 0))),
        live ? h('tr', null, h('td', null, 'targeted'), h('td', null, String(fleet.targeted ?? 0))) : null,
        live ? h('tr', null, h('td', null, 'on the rollout'), h('td', null, String(fleet.onRollout ?? 0))) : null,
        versions.map(([version, count]) => h('tr', { class: 'version' }, h('td', null, `on v${version}`), h('td', null, String(count)))),
        fleet.failures ? h('tr', { class: 'failing' }, h('td', null, 'failures reported'),
          h('td', null, `${fleet.failures} by ${fleet.failing}`)) : null)),
    rollout.stopReason ? h('p', { class: 'stop-reason', role: 'note' }, `Stopped: ${rollout.stopReason}`) : null,
    rollout.promotedVersion ? h('p', { class: 'meta' }, `promoted as v${rollout.promotedVersion}`) : null,
    mayAct && !rollout.steps ? this.retarget(rollout) : null,
    mayAct ? h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: () => this.act(rollout, 'promote', null, error) }, 'Promote'),
      rollout.state === 'active' && rollout.steps ? h('button', { type: 'button', onclick: () => this.act(rollout, 'pause', reason, error) }, 'Pause') : null,
      rollout.state === 'paused' ? h('button', { type: 'button', onclick: () => this.act(rollout, 'resume', null, error) }, 'Resume') : null,
      reason,
      h('button', { type: 'button', class: 'danger', onclick: () => this.act(rollout, 'abort', reason, error) }, 'Abort'))
      : null,
    error);
  }

  /** A live gray release's targeting, changed in place (POST /v1/rollouts/{id}/target): selector and percentage. */
  retarget(rollout) {
    const error = h('p', { class: 'error', 'aria-live': 'polite' });
    const selector = h('input', { type: 'text', class: 'selector', spellcheck: 'false', 'aria-label': 'Selector',
      placeholder: 'zone=eu-1,version in (2.3.1, 2.3.2)', value: rollout.selector ?? '' });
    const percentage = h('input', { type: 'number', class: 'percentage', min: '0', max: '100', step: '0.01',
      'aria-label': 'Percentage', placeholder: 'every one', value: rollout.percentage ?? '' });
    const send = async () => {
      const body = {
        selector: selector.value.trim() === '' ? null : selector.value.trim(),
        percentage: percentage.value === '' ? null : Number(percentage.value),
      };
      try {
        const done = await this.app.api.rolloutAction(rollout.id, 'target', body);
        notify(`Rollout ${rollout.id} now aimed at ${targeting(done).replace('Gray release to ', '')}`, 'success');
        this.load();
      } catch (e) {
        error.textContent = `Not retargeted: ${e.message}`;
      }
    };
    return h('form', { class: 'retarget', 'aria-label': `Retarget rollout ${rollout.id}`,
      onsubmit: (event) => { event.preventDefault(); send(); } },
    h('label', null, 'Selector ', selector), h('label', null, 'Percentage ', percentage),
    h('button', { type: 'submit' }, 'Retarget'), error);
  }

  async act(rollout, action, reason, error) {
    const body = reason && reason.value.trim() ? { reason: reason.value.trim() } : {};
    try {
      const done = await this.app.api.rolloutAction(rollout.id, action, body);
      notify(`Rollout ${rollout.id} ${done.state ?? action}`, 'success');
      this.load();
    } catch (e) {
      error.textContent = `Not done: ${e.message}`;
    }
  }
}

function targeting(rollout) {
  const aim = [rollout.selector ? `selector ${rollout.selector}` : 'every instance',
    rollout.percentage != null ? `${rollout.percentage} %` : null].filter(Boolean).join(', ');
  if (!rollout.steps) {
    return `Gray release to ${aim}`;
  }
  const steps = rollout.steps.map((step) => `${step.percentage} %`).join(' → ');
  return `Step ${rollout.step + 1} of ${rollout.steps.length} (${steps}), now ${aim}`
    + (rollout.stepStartedAt ? `, since ${time(rollout.stepStartedAt)}` : '')
    + (rollout.failureThreshold != null ? `; rolls back over ${rollout.failureThreshold} failures` : '');
}

function show(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
