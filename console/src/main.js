// The console's shell: sign-in, the header (environment, sections, live state, sign-out) and the
// hash routes. The token lives in this tab's session storage only: never in a URL or a cookie.
import { Api } from './api.js';
import { fill, h, notify } from './dom.js';
import { isRoot, readRoots } from './grants.js';
import { Live } from './live.js';
import { EnvStore } from './store.js';
import { BrowseView } from './views/browse.js';
import { CompareView } from './views/compare.js';
import { AuditView } from './views/audit.js';
import { TokensView } from './views/tokens.js';
import { StatusView } from './views/status.js';
import { ExchangeView } from './views/exchange.js';
import { PendingView } from './views/pending.js';
import { RolloutsView } from './views/rollouts.js';
import { signInView } from './views/signin.js';

const TOKEN = 'configd.token';
const LIVE_LABELS = { connecting: 'Connecting…', syncing: 'Catching up…', live: 'Live', reconnecting: 'Reconnecting…' };

class Console {
  constructor(root) {
    this.root = root;
    this.stores = new Map();
    this.view = null;
    window.addEventListener('hashchange', () => this.route());
  }

  async start() {
    const token = sessionStorage.getItem(TOKEN);
    if (!token) {
      this.showSignIn();
      return;
    }
    try {
      await this.signIn(token);
    } catch (e) {
      sessionStorage.removeItem(TOKEN);
      this.showSignIn(e.message);
    }
  }

  showSignIn(error) {
    fill(this.root, signInView((token) => this.signIn(token), error));
  }

  async signIn(token) {
    const api = new Api(token);
    const me = await api.whoami();
    // a token revoked or expired while signed in: back to the sign-in form, the token forgotten
    api.onUnauthorized = () => { this.signOut(); this.showSignIn('Your token is no longer valid (revoked or expired): sign in again.'); };
    sessionStorage.setItem(TOKEN, token);
    this.api = api;
    this.me = me;
    this.environments = me.environments.filter((env) => readRoots(me, env).length > 0);
    this.live = new Live(token, (state) => this.liveState(state), (error) => notify(`Live updates: ${error?.body ?? error}`, 'error'));
    this.buildShell();
    this.route();
  }

  signOut() {
    this.view?.unmount?.();
    this.view = null;
    this.live?.close();
    this.live = null;
    this.stores.clear();
    this.api = null;
    this.me = null;
    sessionStorage.removeItem(TOKEN);
    history.replaceState(null, '', location.pathname);
    this.showSignIn();
  }

  /** The store of an environment, watched live from its first use. */
  store(env) {
    let store = this.stores.get(env);
    if (!store) {
      store = new EnvStore(env);
      this.stores.set(env, store);
      this.live.watch(store, readRoots(this.me, env));
    }
    return store;
  }

  get env() {
    return this.envSelect.value;
  }

  buildShell() {
    const env = this.environments.includes(sessionStorage.getItem('configd.env')) ? sessionStorage.getItem('configd.env')
      : this.environments[this.environments.length - 1];
    this.envSelect = h('select', { id: 'env', 'aria-label': 'Environment', onchange: () => this.changeEnv() },
      this.environments.map((name) => h('option', { value: name, selected: name === env }, name)));
    this.liveBadge = h('span', { class: 'live-state', role: 'status', 'aria-label': 'Live updates' }, LIVE_LABELS.connecting);
    this.nav = h('nav', { 'aria-label': 'Sections' }, h('ul', null,
      this.section('browse', 'Browse'),
      this.section('compare', 'Compare'),
      this.section('audit', 'Audit log'),
      this.section('exchange', 'Import/Export'),
      this.section('pending', 'Pending changes'),
      this.section('rollouts', 'Rollouts'),
      isRoot(this.me) ? this.section('tokens', 'Tokens') : null,
      isRoot(this.me) ? this.section('status', 'Node status') : null));
    this.main = h('main', { id: 'main', tabindex: '-1' });
    fill(this.root,
      h('header', { class: 'top' },
        h('a', { class: 'brand', href: '#/browse' }, 'configd'),
        h('div', { class: 'env' }, this.envSelect),
        this.nav,
        h('div', { class: 'who' }, this.liveBadge,
          h('span', { class: 'principal', title: 'Signed in as' }, this.me.name),
          h('button', { type: 'button', onclick: () => this.signOut() }, 'Sign out'))),
      this.main);
  }

  section(name, label) {
    return h('li', null, h('a', { href: `#/${name}`, 'data-section': name }, label));
  }

  liveState(state) {
    this.liveBadge.textContent = LIVE_LABELS[state] ?? state;
    this.liveBadge.dataset.state = state;
  }

  changeEnv() {
    sessionStorage.setItem('configd.env', this.env);
    const route = parseRoute();
    if (route.section === 'browse') {
      location.hash = `#/browse/${encodeURIComponent(this.env)}`;
    } else {
      this.view?.envChanged?.(this.env);
    }
  }

  route() {
    if (!this.me) {
      return;
    }
    const route = parseRoute();
    if (route.section === 'browse' && route.env && this.environments.includes(route.env) && route.env !== this.env) {
      this.envSelect.value = route.env;
      sessionStorage.setItem('configd.env', route.env);
    }
    for (const link of this.nav.querySelectorAll('a')) {
      if (link.dataset.section === route.section) {
        link.setAttribute('aria-current', 'page');
      } else {
        link.removeAttribute('aria-current');
      }
    }
    const views = { browse: BrowseView, compare: CompareView, audit: AuditView, exchange: ExchangeView, pending: PendingView, rollouts: RolloutsView, tokens: TokensView, status: StatusView };
    const View = views[route.section] ?? BrowseView;
    if (!(this.view instanceof View) || (route.section === 'browse' && this.view.env !== this.env)) {
      this.view?.unmount?.();
      this.view = new View(this);
      fill(this.main);
      this.view.mount(this.main, route);
    } else {
      this.view.update?.(route);
    }
  }
}

/** #/section/env/key?name=value */
export function parseRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = hash.split('?');
  const [section = 'browse', env, ...rest] = pathPart.split('/').map(decodeURIComponent);
  return { section: section || 'browse', env, key: rest.join('/') || null, params: new URLSearchParams(queryPart) };
}

new Console(document.getElementById('app')).start();
