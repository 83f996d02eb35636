// The page's live connection: the official Vert.x event-bus bridge client over SockJS at /eventbus,
// every frame carrying the signed-in token. For each environment it registers on the prefixes the token
// may read (config.<env>[.<prefix>]), loads the snapshot, and after a reconnect catches up with the
// changes since the revision of its last complete answer (the bridge's "subscribing without a gap").
// When those changes are gone (410: pruned by retention, or a revision of another history) or the database's
// epoch changed (it was restored), it loads a fresh snapshot instead and drops what that snapshot no longer holds.
// A transaction's frames are held until the socket brought all of them (txn.count), then applied in one update of
// the view; what a lost connection leaves open is dropped, the catch-up brings it whole.
import EventBus from '@vertx/eventbus-bridge-client.js';
import { TxnUnits } from '../../clients/node/lib/values.js';

/** The changes to catch up cannot be had: a fresh snapshot is needed. */
class SnapshotRequired extends Error {}

/** The bridge's failure codes that mean "take a snapshot": 4100 snapshot-required, 4101 revision-compacted. */
const SNAPSHOT_CODES = new Set([4100, 4101]);

export class Live {
  constructor(token, onState, onRefused) {
    this.token = token;
    this.onState = onState;
    this.onRefused = onRefused;
    this.watches = new Map();
    this.state = 'connecting';
    this.eb = new EventBus('/eventbus', {
      vertxbus_reconnect_attempts_max: Infinity,
      vertxbus_reconnect_delay_min: 500,
      vertxbus_reconnect_delay_max: 4000,
      vertxbus_ping_interval: 20000,
    });
    this.eb.defaultHeaders = { Authorization: `Bearer ${token}` };
    this.eb.enableReconnect(true);
    this.eb.onopen = () => this.opened();
    this.units = new TxnUnits();
    this.eb.onclose = () => {
      this.units.clear();
      this.setState('reconnecting');
    };
    this.eb.onerror = (error) => this.onRefused?.(error);
  }

  setState(state) {
    this.state = state;
    this.onState?.(state);
  }

  /** Keeps store current for the prefixes roots of its environment. */
  watch(store, roots) {
    if (this.watches.has(store.env)) {
      return;
    }
    const watch = { store, roots, marks: new Map(), syncing: null, epoch: undefined };
    this.watches.set(store.env, watch);
    if (this.eb.state === EventBus.OPEN) {
      this.sync(watch).catch((error) => this.failed(error));
    }
  }

  close() {
    this.eb.enableReconnect(false);
    this.eb.onclose = null;
    this.eb.close();
  }

  opened() {
    this.setState('syncing');
    Promise.all([...this.watches.values()].map((watch) => this.sync(watch)))
      .then(() => this.setState('live'))
      .catch((error) => this.failed(error));
  }

  failed(error) {
    this.onRefused?.({ body: error.message ?? String(error) });
    this.setState('reconnecting');
    // a failed load or catch-up: start again on a fresh socket
    this.eb.sockJSConn?.close();
  }

  async sync(watch) {
    const { store } = watch;
    for (const root of watch.roots) {
      const address = root === '' ? `config.${store.env}` : `config.${store.env}.${root}`;
      this.eb.registerHandler(address, (error, message) => {
        if (error || !message?.body) {
          return;
        }
        const { epoch } = message.body;
        if (epoch !== undefined && watch.epoch !== undefined && epoch !== watch.epoch) {
          // the database was restored: what this page holds is of another history
          this.failed(new Error('the database was restored (its epoch changed): reloading'));
          return;
        }
        for (const unit of this.units.add(message.body)) {
          this.watches.get(unit[0].env)?.store.apply(unit, true);
        }
      });
    }
    for (const root of watch.roots) {
      const mark = watch.marks.get(root);
      watch.marks.set(root, mark === undefined ? await this.snapshot(watch, root) : await this.resume(watch, root, mark));
    }
    if (!store.loaded) {
      store.markLoaded();
    }
  }

  /** Catches up from mark, or when that cannot be done, loads a fresh snapshot in place of what the page holds. */
  async resume(watch, root, mark) {
    try {
      return await this.catchUp(watch, root, mark);
    } catch (error) {
      if (!(error instanceof SnapshotRequired)) {
        throw error;
      }
      watch.store.forget(root);
      // applied as live changes, so that what is on screen (the open key too) shows what changed
      const complete = await this.snapshot(watch, root, true);
      watch.store.prune(root);
      return complete;
    }
  }

  /** Pages through the snapshot; complete up to the lowest revision of its pages. */
  async snapshot(watch, prefix, live = false) {
    const { store } = watch;
    let after;
    let complete = Infinity;
    do {
      const page = await this.request('configd.snapshot', after ? { env: store.env, prefix, after } : { env: store.env, prefix });
      store.apply(page.items, live);
      complete = Math.min(complete, page.revision);
      watch.epoch = page.epoch ?? watch.epoch;
      after = page.next;
    } while (after);
    return complete;
  }

  async catchUp(watch, prefix, since) {
    let mark = since;
    for (;;) {
      let page;
      try {
        page = await this.request('configd.changes', { env: watch.store.env, prefix, since: mark, limit: 1000 });
      } catch (error) {
        throw SNAPSHOT_CODES.has(error.failureCode) ? new SnapshotRequired(error.message) : error;
      }
      if (page.epoch !== undefined && watch.epoch !== undefined && page.epoch !== watch.epoch) {
        throw new SnapshotRequired('the database was restored (its epoch changed)');
      }
      watch.store.apply(page.items, true);
      if (!page.more) {
        return page.next;
      }
      if (page.next <= mark) {
        throw new Error('a catch-up page did not advance');
      }
      mark = page.next;
    }
  }

  request(address, body) {
    return new Promise((resolve, reject) => {
      try {
        this.eb.send(address, body, {}, (error, reply) => (error
          ? reject(Object.assign(new Error(error.message ?? 'refused'), { failureCode: error.failureCode }))
          : resolve(reply.body)));
      } catch (e) {
        reject(e);
      }
    });
  }
}
