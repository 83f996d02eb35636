// Browse: the key tree by prefix segments with counts, a substring filter, a virtual list of keys (only
// the rows in view exist, so 50,000 keys scroll as fast as 50) and the selected key's panel.
import { fill, h, notify, uid } from '../dom.js';
import { maySome } from '../grants.js';
import { EntryView } from './entry.js';

const ROW = 32;
const MAX_TREE_CHILDREN = 300;

export class BrowseView {
  constructor(app) {
    this.app = app;
    this.env = app.env;
    this.store = app.store(this.env);
    this.prefix = '';
    this.filter = '';
    this.expanded = new Set(['']);
    this.keys = [];
    this.selected = null;
    this.entry = null;
    this.frame = 0;
    /** Keys changed live since the last render: their rows flash once. */
    this.flashed = new Set();
    /** Live changes not yet announced. */
    this.heard = [];
  }

  mount(container, route) {
    this.filterInput = h('input', {
      type: 'search', placeholder: 'part of a key', autocomplete: 'off', spellcheck: 'false',
      oninput: () => { this.filter = this.filterInput.value.trim(); this.schedule(); },
    });
    const filterId = uid('filter');
    this.filterInput.id = filterId;
    this.countLine = h('p', { class: 'count', 'aria-live': 'polite' });
    this.spacer = h('div', { class: 'spacer' });
    this.viewport = h('div', {
      class: 'viewport', role: 'list', 'aria-label': 'Keys', tabindex: '0',
      onscroll: () => this.renderRows(), onkeydown: (event) => this.listKeys(event),
    }, this.spacer);
    this.tree = h('ul', { class: 'tree' });
    this.detail = h('section', { class: 'detail', 'aria-label': 'Selected key' });
    const canWrite = maySome(this.app.me, 'write', this.env);
    container.append(h('div', { class: 'browse' },
      h('nav', { class: 'tree-pane', 'aria-label': 'Key tree' }, h('h2', null, `Keys in ${this.env}`), this.tree),
      h('section', { class: 'list-pane', 'aria-label': 'Key list' },
        h('div', { class: 'list-tools' },
          h('div', { class: 'field inline' }, h('label', { for: filterId }, 'Filter'), this.filterInput),
          canWrite ? h('a', { class: 'button', href: `#/browse/${encodeURIComponent(this.env)}?new=1` }, 'New key') : null),
        this.countLine,
        this.viewport),
      this.detail));
    this.unsubscribe = this.store.subscribe((changes, live) => this.changed(changes, live));
    this.resizeObserver = new ResizeObserver(() => this.renderRows());
    this.resizeObserver.observe(this.viewport);
    this.refresh();
    this.update(route);
  }

  unmount() {
    this.unsubscribe?.();
    this.resizeObserver?.disconnect();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.noticeTimer);
    this.entry?.unmount();
  }

  update(route) {
    const creating = route.params.get('new') === '1';
    const key = creating ? null : route.key;
    if (creating || key !== this.selected || !this.entry) {
      this.entry?.unmount();
      this.selected = key;
      fill(this.detail);
      if (creating || key) {
        this.entry = new EntryView(this.app, this.env, key, this.store);
        this.entry.mount(this.detail, route);
      } else {
        this.entry = null;
        this.detail.append(h('p', { class: 'empty' }, 'Choose a key to see its value and history.'));
      }
      this.renderRows();
    } else {
      this.entry.update(route);
    }
  }

  changed(changes, live) {
    this.schedule();
    if (live) {
      for (const change of changes) {
        this.flashed.add(change.key);
        this.heard.push(change);
      }
      clearTimeout(this.noticeTimer);
      this.noticeTimer = setTimeout(() => this.announce(), 300);
    }
  }

  /** One unobtrusive notice per burst of live changes (the key's own panel says more). */
  announce() {
    const heard = this.heard.filter((change) => change.key !== this.selected && !this.app.api.isOwn(change));
    this.heard = [];
    if (heard.length === 1) {
      const [change] = heard;
      notify(`${change.key} ${change.deleted ? 'deleted' : `changed (v${change.version})`} by ${change.updatedBy}`);
    } else if (heard.length > 1) {
      notify(`${heard.length} keys changed in ${this.env}`);
    }
  }

  /** Live updates arrive in bursts: recompute once per frame. */
  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.refresh();
      });
    }
  }

  refresh() {
    this.keys = this.store.keysUnder(this.prefix, this.filter);
    this.spacer.style.height = `${this.keys.length * ROW}px`;
    const where = this.prefix ? ` under ${this.prefix}` : '';
    const matching = this.filter ? ` containing “${this.filter}”` : '';
    const loading = this.store.loaded ? '' : ' (loading…)';
    this.countLine.textContent = `${this.keys.length.toLocaleString()} key${this.keys.length === 1 ? '' : 's'}${where}${matching}${loading}`;
    this.renderTree();
    this.renderRows();
    this.flashed.clear();
  }

  renderRows() {
    const height = this.viewport.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW) - 5);
    const last = Math.min(this.keys.length, first + Math.ceil(height / ROW) + 10);
    const focusedKey = document.activeElement?.closest?.('.row')?.dataset.key;
    const rows = [];
    for (let i = first; i < last; i += 1) {
      const key = this.keys[i];
      const entry = this.store.entries.get(key);
      const row = h('a', {
        class: `row${key === this.selected ? ' selected' : ''}${this.flashed.has(key) ? ' flash' : ''}`,
        role: 'listitem', href: `#/browse/${encodeURIComponent(this.env)}/${encodeURIComponent(key)}`,
        'aria-setsize': this.keys.length, 'aria-posinset': i + 1, 'data-key': key, 'data-index': i,
        'aria-current': key === this.selected ? 'true' : null,
      },
      h('span', { class: 'key' }, key),
      h('span', { class: 'preview' }, entry ? preview(entry.value) : ''),
      h('span', { class: 'version' }, entry ? `v${entry.version}` : ''));
      row.style.top = `${i * ROW}px`;
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
    if (focusedKey) {
      this.spacer.querySelector(`.row[data-key="${CSS.escape(focusedKey)}"]`)?.focus({ preventScroll: true });
    }
  }

  /** Arrow keys, Home and End move through the keys; Enter opens one (it is a link). */
  listKeys(event) {
    const current = Number(document.activeElement?.closest?.('.row')?.dataset.index ?? -1);
    let next = null;
    if (event.key === 'ArrowDown') next = Math.min(this.keys.length - 1, current + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = this.keys.length - 1;
    else if (event.key === 'PageDown') next = Math.min(this.keys.length - 1, current + Math.floor(this.viewport.clientHeight / ROW));
    else if (event.key === 'PageUp') next = Math.max(0, current - Math.floor(this.viewport.clientHeight / ROW));
    if (next === null || this.keys.length === 0) {
      return;
    }
    event.preventDefault();
    const top = next * ROW;
    if (top < this.viewport.scrollTop || top + ROW > this.viewport.scrollTop + this.viewport.clientHeight) {
      this.viewport.scrollTop = Math.max(0, top - this.viewport.clientHeight / 2);
    }
    this.renderRows();
    this.spacer.querySelector(`.row[data-index="${next}"]`)?.focus({ preventScroll: true });
  }

  renderTree() {
    const focused = document.activeElement?.dataset?.path;
    const focusedRole = document.activeElement?.dataset?.role;
    fill(this.tree, this.treeNode({ segment: 'All keys', path: '', count: this.store.keys.length, hasChildren: true, hasPrefixes: true }));
    if (focused !== undefined) {
      this.tree.querySelector(`[data-path="${CSS.escape(focused)}"][data-role="${focusedRole}"]`)?.focus();
    }
  }

  treeNode(node) {
    const open = this.expanded.has(node.path);
    const item = h('li', null,
      node.hasPrefixes ? h('button', {
        type: 'button', class: 'toggle', 'aria-expanded': open ? 'true' : 'false', 'data-path': node.path, 'data-role': 'toggle',
        'aria-label': `${open ? 'Collapse' : 'Expand'} ${node.path || 'all keys'}`,
        onclick: () => { if (open) this.expanded.delete(node.path); else this.expanded.add(node.path); this.renderTree(); },
      }, open ? '▾' : '▸') : h('span', { class: 'toggle-space', 'aria-hidden': 'true' }),
      h('button', {
        type: 'button', class: 'node', 'data-path': node.path, 'data-role': 'node',
        'aria-current': node.path === this.prefix ? 'true' : null,
        'aria-label': `${node.path || 'All keys'}: ${node.count} key${node.count === 1 ? '' : 's'}`,
        onclick: () => this.choosePrefix(node.path),
      }, h('span', { class: 'segment' }, node.segment), h('span', { class: 'badge' }, node.count.toLocaleString())));
    if (open && node.hasPrefixes) {
      const children = this.store.children(node.path).filter((child) => child.hasChildren);
      const shown = children.slice(0, MAX_TREE_CHILDREN);
      item.append(h('ul', null, shown.map((child) => this.treeNode(child)),
        children.length > shown.length ? h('li', { class: 'more' }, `${children.length - shown.length} more prefixes: use the filter`) : null));
    }
    return item;
  }

  choosePrefix(path) {
    this.prefix = path;
    this.expanded.add(path);
    this.viewport.scrollTop = 0;
    this.refresh();
  }
}

function preview(value) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
