'use strict';
// configd client for Node.js, on the official Vert.x event-bus bridge client (SockJS at <node>/eventbus).
// The same correctness rules as the Java client (io.configd.client): register before asking for a snapshot or for
// the changes since the watermark; hold live changes while such an answer is being applied, then apply them; drop
// anything at or below a key's high-water revision or a covering watch's watermark; take the watermark from a
// finished snapshot or catch-up answer, then from each live change once the connection is in step (a node releases
// changes in global revision order, so the newest revision seen is a valid resume point, unless the node gave up
// waiting for one that has not come yet: then its frames carry resumeAfter, and the watermark goes no further);
// catch up after every reconnect and every sync interval.

const { EventEmitter } = require('node:events');
const { parseWatch, isUnder, covers, Values, TxnUnits, toChange } = require('./lib/values');
const { ConfigValueError, parseDuration, readers } = require('./lib/typed');

const SNAPSHOT = 'configd.snapshot';
const CHANGES = 'configd.changes';
const HELLO = 'configd.hello';
const ACK = 'configd.ack';
const PAGE = 1000;
/** Characters of keys per ack: a bridge frame is at most 64 KiB. */
const MAX_ACK_KEY_CHARS = 32000;

class ConfigdError extends Error {
  constructor(message, { rejected = false, cause } = {}) {
    super(message, { cause });
    this.name = 'ConfigdError';
    /** true when a node refused the request as it is (4xxx): retrying it unchanged cannot help */
    this.rejected = rejected;
  }
}

const DEFAULTS = {
  requestTimeoutMs: 10000,
  startTimeoutMs: 30000,
  syncIntervalMs: 30000,
  pingIntervalMs: 20000,
  ackDelayMs: 100,
  backoff: { initialMs: 200, maxMs: 30000, jitter: 0.5 },
};

/**
 * new ConfigClient({ nodes: ['http://configd-1:8080'], watch: ['production:services.payment'], token })
 * Emits 'change' (a change applied), 'connected' (node URL), 'disconnected', 'resnapshot' (why: a restored database's
 * new epoch, or changes pruned by retention; a fresh snapshot replaces every value, and each key gone is heard as a
 * deletion), 'warning' (a refusal or a failing listener after start; not 'error', which would end a process that does
 * not listen to it).
 */
/**
 * The CA certificates (PEM) of options.ca or options.caFile, trusted for https:// nodes besides Node's own roots. SockJS
 * makes its HTTP requests (/info, the fallback transports) on https.globalAgent, which gets them too: process-wide.
 */
function trustedCa(options) {
  if (options.ca === undefined && options.caFile === undefined) return undefined;
  const ca = options.ca !== undefined ? String(options.ca) : require('node:fs').readFileSync(options.caFile, 'utf8');
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error('ca / caFile must hold PEM CA certificates (-----BEGIN CERTIFICATE-----)');
  }
  const agent = require('node:https').globalAgent;
  const current = [].concat(agent.options.ca || require('node:tls').rootCertificates);
  if (!current.includes(ca)) agent.options.ca = [...current, ca];
  return [...require('node:tls').rootCertificates, ca];
}

/**
 * The instance this client names itself with, from options.instance = {id, app, labels} (or a string id); the id
 * defaults to the host name and the process id. Undefined without options.instance: the client does not say hello.
 */
function identity(instance) {
  if (instance === undefined || instance === null) return undefined;
  const given = typeof instance === 'string' ? { id: instance } : instance;
  if (typeof given !== 'object') throw new Error('instance must be {id, app, labels} or an id string');
  const id = given.id !== undefined ? given.id
    : `${require('node:os').hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_.:@-]/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/.test(id)) {
    throw new Error('instance.id must be 1 to 128 characters of A-Za-z0-9_.:@-, starting with a letter or digit');
  }
  if (given.app !== undefined && typeof given.app !== 'string') throw new Error('instance.app must be a string');
  const labels = given.labels || {};
  if (typeof labels !== 'object' || Array.isArray(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    throw new Error('instance.labels must be an object of strings, e.g. {zone: "eu-1"}');
  }
  const hello = { instance: id, labels: { ...labels } };
  if (given.app !== undefined) hello.app = given.app;
  return hello;
}

class ConfigClient extends EventEmitter {
  constructor(options = {}) {
    super();
    const nodes = [].concat(options.nodes || []).map((url) => String(url).replace(/\/+$/, ''));
    if (nodes.length === 0 || nodes.some((url) => !/^https?:\/\/[^/]+/.test(url))) {
      throw new Error('nodes must list at least one node URL, http://host:port or https://host');
    }
    const watches = [].concat(options.watch || []).map(parseWatch);
    if (watches.length === 0) {
      throw new Error("watch must list at least one 'env:prefix', e.g. 'production:services.payment'");
    }
    if (options.token !== undefined && (typeof options.token !== 'string' || !/^[\x21-\x7e]+$/.test(options.token))) {
      throw new Error('token must be non-empty printable ASCII without spaces');
    }
    this.settings = { ...DEFAULTS, ...options, backoff: { ...DEFAULTS.backoff, ...(options.backoff || {}) }, nodes, watches };
    this.identity = identity(options.instance);
    this.acks = { pending: new Map(), sent: new Map(), failures: new Map(), timer: null };
    this.EventBus = options.EventBus || require('@vertx/eventbus-bridge-client.js');
    this.headers = options.token ? { Authorization: `Bearer ${options.token}` } : {};
    this.ca = trustedCa(options);
    this.values = new Values(watches);
    this.state = 'starting';
    this.connectedNode = null;
    this.listeners = [];
    this.setListeners = [];
    this.liveUnits = new TxnUnits();
    this.attempt = 0;
    this.nodeIndex = 0;
    this.held = null;
    this.eb = null;
    this.timers = new Set();
    this.closing = false;
    this.ready = null;
  }

  /** Resolves once the watched values are loaded from a node; rejects when none answers in time or one refuses. */
  start() {
    if (!this.ready) {
      this.ready = new Promise((resolve, reject) => {
        this.resolveReady = resolve;
        this.rejectReady = reject;
      });
      this.deadline = this.timer(() => this.fail(new ConfigdError(`no configd node of ${this.settings.nodes.join(', ')} `
        + `answered within ${this.settings.startTimeoutMs} ms`)), this.settings.startTimeoutMs);
      this.connect();
    }
    return this.ready;
  }

  /** Disconnects and releases every timer. */
  async close() {
    this.closing = true;
    this.state = 'closed';
    for (const id of this.timers) clearTimeout(id);
    this.timers.clear();
    if (this.eb) {
      const eb = this.eb;
      this.eb = null;
      try { eb.close(); } catch (e) { /* already closed */ }
    }
    if (this.rejectReady) this.rejectReady(new ConfigdError('the client was closed before it loaded its values'));
  }

  // ---- reads

  /** The current value (a JSON value), or undefined. env defaults to the first watched environment. */
  get(key, env = this.settings.watches[0].env) {
    const change = this.values.current(env, key);
    return change ? change.value : undefined;
  }

  /** The key's current value with its version, revision and author, or undefined. */
  getChange(key, env = this.settings.watches[0].env) {
    return this.values.current(env, key);
  }

  getString(key, defaultValue, env) { return this.typed('string', key, defaultValue, env, arguments.length); }
  getNumber(key, defaultValue, env) { return this.typed('number', key, defaultValue, env, arguments.length); }
  getInt(key, defaultValue, env) { return this.typed('int', key, defaultValue, env, arguments.length); }
  getBoolean(key, defaultValue, env) { return this.typed('boolean', key, defaultValue, env, arguments.length); }
  /** Milliseconds, from '500ms', '30s', '5m', '2h', '1d' or ISO-8601 ('PT30S'). */
  getDuration(key, defaultValue, env) { return this.typed('duration', key, defaultValue, env, arguments.length); }
  /** A JSON object or array, as a copy the caller may change. */
  getJson(key, defaultValue, env) { return this.typed('json', key, defaultValue, env, arguments.length); }

  keys(env = this.settings.watches[0].env) {
    return this.values.keys(env);
  }

  /** The revision up to which the client knows it holds every change of a watch, or undefined before it loaded it. */
  watermark(watch) {
    return this.values.watermark(parseWatch(watch));
  }

  /** Calls listener(change) for every change applied at prefixOrKey or below it; returns a function that removes it. */
  onChange(prefixOrKey, listener, env = this.settings.watches[0].env) {
    const prefix = (prefixOrKey || '').replace(/\.$/, '');
    const entry = { env, prefix, listener };
    this.listeners.push(entry);
    return () => { this.listeners = this.listeners.filter((other) => other !== entry); };
  }

  /**
   * Calls listener(changes) once for every set of changes applied together at prefixOrKey or below it: a
   * transaction's changes in one call, once all of them are applied; a single write alone. Returns a remover.
   */
  onChanges(prefixOrKey, listener, env = this.settings.watches[0].env) {
    const prefix = (prefixOrKey || '').replace(/\.$/, '');
    const entry = { env, prefix, listener };
    this.setListeners.push(entry);
    return () => { this.setListeners = this.setListeners.filter((other) => other !== entry); };
  }

  typed(type, key, defaultValue, env, given) {
    const readEnv = env || this.settings.watches[0].env;
    const value = this.get(key, readEnv);
    if (value === undefined) {
      if (given >= 2) return defaultValue;
      throw new ConfigValueError(key, `${key} has no value in ${readEnv}`);
    }
    return readers[type](key, readEnv, value);
  }

  // ---- connecting

  connect() {
    if (this.closing) return;
    const url = this.settings.nodes[this.nodeIndex % this.settings.nodes.length];
    const eb = new this.EventBus(`${url}/eventbus`, { vertxbus_ping_interval: this.settings.pingIntervalMs,
      transportOptions: this.ca ? { websocket: { ca: this.ca } } : undefined });
    this.eb = eb;
    // the resumeAfter of the newest live frame on this connection (Infinity: it carried none); see Values.advanceLive
    this.resumeAfter = Infinity;
    eb.onopen = () => {
      // the hello goes first: the node records every registration under the instance
      const hello = this.identity ? this.request(eb, HELLO, this.identity) : Promise.resolve();
      for (const watch of this.settings.watches) {
        eb.registerHandler(watch.address, this.headers, (err, message) => {
          if (err) {
            this.refused(`${watch.address}: ${err.message || err.failureCode}`);
          } else if (eb === this.eb) {
            this.live(message.body);
          }
        });
      }
      Promise.all([hello, this.syncAll(eb)]).then(() => {
        if (eb !== this.eb) return;
        this.ackEveryKey(eb);
        this.attempt = 0;
        this.state = 'connected';
        this.connectedNode = url;
        clearTimeout(this.deadline);
        this.emit('connected', url);
        this.scheduleSync(eb);
        if (this.resolveReady) {
          this.resolveReady();
          this.resolveReady = null;
          this.rejectReady = null;
        }
      }, (failure) => {
        if (failure.rejected) {
          this.fail(failure);
        }
        try { eb.close(); } catch (e) { /* closing anyway */ }
      });
    };
    eb.onerror = (err) => {
      // a refused registration arrives here: {type: 'err', body: 'access_denied' | 'not_logged_in' | 'auth_error'}
      if (err && typeof err.body === 'string') {
        this.refused(err.body);
      }
    };
    eb.onclose = () => {
      if (eb !== this.eb || this.closing) return;
      this.eb = null;
      if (this.state === 'connected') {
        this.emit('disconnected');
      }
      this.state = 'disconnected';
      this.connectedNode = null;
      this.held = null;
      this.inStep = false;
      this.liveUnits.clear();
      this.nodeIndex += 1;
      this.attempt += 1;
      this.timer(() => this.connect(), this.delay(this.attempt));
    };
  }

  refused(reason) {
    const error = new ConfigdError(`a configd node refused this client: ${reason}`, { rejected: true });
    if (this.rejectReady) {
      this.fail(error);
    } else {
      this.emit('warning', error);
    }
  }

  fail(error) {
    if (this.rejectReady) {
      const reject = this.rejectReady;
      this.resolveReady = null;
      this.rejectReady = null;
      this.close().then(() => reject(error));
    }
  }

  delay(attempt) {
    const { initialMs, maxMs, jitter } = this.settings.backoff;
    const full = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
    return Math.max(1, Math.round(full * (1 - jitter * Math.random())));
  }

  timer(fn, ms) {
    const id = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, ms);
    this.timers.add(id);
    return id;
  }

  scheduleSync(eb) {
    this.timer(() => {
      if (eb !== this.eb) return;
      this.syncAll(eb).then(() => { this.scheduleAck(); this.scheduleSync(eb); },
        () => { try { eb.close(); } catch (e) { /* closing */ } });
    }, this.settings.syncIntervalMs);
  }

  // ---- loading

  /**
   * Every watch in turn: the changes since its watermark, or a full snapshot when it has none; live changes wait.
   * A node that cannot answer the changes (410x: pruned by retention, or another epoch: a restored database) makes the
   * client take a fresh snapshot of every watch instead.
   */
  async syncAll(eb) {
    if (!this.held) this.held = [];
    try {
      try {
        // what the catch-ups answer is applied once all have: a transaction may reach over several watches
        const caught = { changes: [], marks: new Map() };
        for (const watch of this.settings.watches) {
          const since = this.values.watermark(watch);
          if (since === undefined) {
            await this.snapshot(eb, watch);
          } else {
            await this.catchUp(eb, watch, since, caught);
          }
        }
        TxnUnits.ofPages(caught.changes).forEach((unit) => this.applyAll(unit));
        for (const watch of this.settings.watches) {
          if (caught.marks.has(watch.id)) this.values.advance(watch, caught.marks.get(watch.id));
        }
      } catch (failure) {
        if (!failure.snapshotRequired) throw failure;
        await this.resnapshot(eb, failure);
      }
      this.releaseHeld(true);
    } finally {
      this.releaseHeld(false);
    }
  }

  /** The live changes that came during a catch-up, in order; they move the watermarks only if it completed. */
  releaseHeld(inStep) {
    const waiting = this.held || [];
    this.held = null;
    for (const change of waiting) {
      for (const unit of this.liveUnits.add(change)) {
        this.applyAll(unit);
        if (inStep) unit.forEach((applied) => this.values.advanceLive(applied, this.resumeAfter));
      }
    }
    if (inStep) this.inStep = true;
  }

  async snapshot(eb, watch) {
    let after;
    let complete = Number.MAX_SAFE_INTEGER;
    do {
      const body = { env: watch.env, prefix: watch.prefix };
      if (after !== undefined) body.after = after;
      const page = await this.request(eb, SNAPSHOT, body);
      this.sameEpoch(page.epoch);
      this.applyAll((page.items || []).map(toChange));
      complete = Math.min(complete, page.revision);
      after = page.next ?? undefined;
    } while (after !== undefined);
    this.values.advance(watch, complete);
  }

  async catchUp(eb, watch, since, caught) {
    let from = since;
    for (;;) {
      const page = await this.request(eb, CHANGES, { env: watch.env, prefix: watch.prefix, since: from, limit: PAGE });
      this.sameEpoch(page.epoch);
      (page.items || []).forEach((item) => caught.changes.push(toChange(item)));
      caught.marks.set(watch.id, Math.max(page.next, caught.marks.get(watch.id) ?? -1));
      if (!page.more) return;
      if (page.next <= from) throw new ConfigdError('a catch-up page did not advance');
      from = page.next;
    }
  }

  /** Revisions of another epoch are another history (a restored database): the client takes a fresh snapshot. */
  sameEpoch(epoch) {
    if (!Number.isInteger(epoch) || epoch === this.values.epoch) return;
    if (this.values.epoch !== undefined) {
      const error = new ConfigdError(`the node serves epoch ${epoch}, the client holds values of epoch `
        + `${this.values.epoch} (the database was restored)`);
      error.snapshotRequired = true;
      throw error;
    }
    this.values.epoch = epoch;
  }

  /** A fresh snapshot of every watch replaces what the client holds; listeners hear what changed and what is gone. */
  async resnapshot(eb, reason) {
    this.emit('resnapshot', reason.message);
    const fresh = [];
    const marks = new Map();
    let epoch;
    for (const watch of this.settings.watches) {
      let after;
      let complete = Number.MAX_SAFE_INTEGER;
      do {
        const body = { env: watch.env, prefix: watch.prefix };
        if (after !== undefined) body.after = after;
        const page = await this.request(eb, SNAPSHOT, body);
        if (epoch !== undefined && page.epoch !== epoch) throw new ConfigdError('the epoch changed during a snapshot');
        epoch = page.epoch;
        (page.items || []).map(toChange).filter((change) => covers(watch, change)).forEach((change) => fresh.push(change));
        complete = Math.min(complete, page.revision);
        after = page.next ?? undefined;
      } while (after !== undefined);
      marks.set(watch.id, complete);
    }
    this.heardAll(this.values.replace(epoch, fresh, marks));
    if (this.state === 'connected') this.ackEveryKey();
  }

  request(eb, address, body) {
    return new Promise((resolve, reject) => {
      const timeout = this.timer(() => reject(new ConfigdError(`${address} did not answer within `
        + `${this.settings.requestTimeoutMs} ms`)), this.settings.requestTimeoutMs);
      try {
        eb.send(address, body, this.headers, (err, reply) => {
          clearTimeout(timeout);
          this.timers.delete(timeout);
          if (err) {
            const code = err.failureCode;
            const error = new ConfigdError(`${address} failed (${code}): ${err.message}`, { rejected: code >= 4000 && code < 5000 });
            // 4100 snapshot-required, 4101 revision-compacted: the node asks for a snapshot, which is no refusal
            if (code >= 4100 && code < 4110) {
              error.rejected = false;
              error.snapshotRequired = true;
            }
            reject(error);
          } else {
            resolve(reply.body);
          }
        });
      } catch (e) {
        clearTimeout(timeout);
        this.timers.delete(timeout);
        reject(new ConfigdError(`${address}: ${e.message}`, { cause: e }));
      }
    });
  }

  live(body) {
    let change;
    try {
      change = toChange(body);
    } catch (e) {
      this.emit('warning', new ConfigdError(e.message));
      return;
    }
    this.resumeAfter = Number.isInteger(body.resumeAfter) ? body.resumeAfter : Infinity;
    if (this.held) {
      this.held.push(change);
      return;
    }
    for (const unit of this.liveUnits.add(change)) {
      this.applyAll(unit);
      if (this.inStep) {
        unit.forEach((applied) => this.values.advanceLive(applied, this.resumeAfter));
        this.scheduleAck();
      }
    }
  }

  /** Applies changes together, in one turn of the event loop; listeners hear them once all are applied. */
  applyAll(changes) {
    const applied = changes.filter((change) => this.values.apply(change));
    if (this.identity) applied.forEach((change) => this.pendingKeys(change.env).set(change.key, change.version));
    this.heardAll(applied);
  }

  // ---- acks: what this instance applied, told to the node it is connected to

  /**
   * Counts an error of this instance against the revision it runs now, in every watched environment: the next ack
   * tells the node (a staged rollout rolls back when the instances running its change report too many). The count
   * starts again at 0 with the next revision applied. Does nothing for a client without an instance.
   */
  reportFailure() {
    if (!this.identity) return;
    for (const env of this.envs()) {
      const revision = this.ackRevision(env) ?? 0;
      const counted = this.acks.failures.get(env);
      this.acks.failures.set(env, { revision, count: counted && counted.revision === revision ? counted.count + 1 : 1 });
    }
    this.scheduleAck();
  }

  envs() {
    return [...new Set(this.settings.watches.map((watch) => watch.env))];
  }

  pendingKeys(env) {
    if (!this.acks.pending.has(env)) this.acks.pending.set(env, new Map());
    return this.acks.pending.get(env);
  }

  /** A new connection knows nothing of this instance yet: the next ack names every key held. */
  ackEveryKey() {
    if (!this.identity) return;
    this.acks.pending.clear();
    this.acks.sent.clear();
    for (const env of this.envs()) {
      const keys = this.pendingKeys(env);
      for (const key of this.values.keys(env)) keys.set(key, this.values.current(env, key).version);
    }
    this.scheduleAck();
  }

  /** The revision up to which every watch of env is complete: the lowest of their watermarks. */
  ackRevision(env) {
    let lowest;
    for (const watch of this.settings.watches.filter((w) => w.env === env)) {
      const mark = this.values.watermark(watch);
      if (mark === undefined) return undefined;
      lowest = lowest === undefined ? mark : Math.min(lowest, mark);
    }
    return lowest;
  }

  scheduleAck() {
    if (!this.identity || this.acks.timer || !this.eb || this.state !== 'connected') return;
    this.acks.timer = this.timer(() => {
      this.acks.timer = null;
      this.sendAcks(this.eb);
    }, this.settings.ackDelayMs);
  }

  sendAcks(eb) {
    if (!eb || eb !== this.eb) return;
    for (const env of this.envs()) {
      const revision = this.ackRevision(env);
      if (revision === undefined) continue;
      const counted = this.acks.failures.get(env);
      const failures = counted && counted.revision === revision ? counted.count : 0;
      const keys = this.acks.pending.get(env) || new Map();
      this.acks.pending.delete(env);
      const sent = this.acks.sent.get(env);
      if (keys.size === 0 && sent && sent.revision === revision && sent.failures === failures) continue;
      this.acks.sent.set(env, { revision, failures });
      let chunk = {};
      let chars = 0;
      const send = () => this.request(eb, ACK, { env, revision, keys: chunk, failures }).catch((failure) => {
        this.emit('warning', failure);
      });
      for (const [key, version] of keys) {
        if (chars + key.length + 24 > MAX_ACK_KEY_CHARS) {
          send();
          chunk = {};
          chars = 0;
        }
        chunk[key] = version;
        chars += key.length + 24;
      }
      send();
    }
  }

  /** Tells the 'change' event and the listeners of each change applied together, then the set listeners, once each. */
  heardAll(changes) {
    if (changes.length === 0) return;
    changes.forEach((change) => this.heard(change));
    this.emit('changes', changes);
    for (const { env, prefix, listener } of this.setListeners) {
      const covered = changes.filter((change) => env === change.env && isUnder(change.key, prefix));
      if (covered.length === 0) continue;
      try {
        listener(covered);
      } catch (e) {
        this.emit('warning', new ConfigdError(`a change listener on ${env}:${prefix} failed: ${e.message}`, { cause: e }));
      }
    }
  }

  heard(change) {
    this.emit('change', change);
    for (const { env, prefix, listener } of this.listeners) {
      if (env === change.env && isUnder(change.key, prefix)) {
        try {
          listener(change);
        } catch (e) {
          this.emit('warning', new ConfigdError(`a change listener on ${env}:${prefix} failed: ${e.message}`, { cause: e }));
        }
      }
    }
  }
}

module.exports = { ConfigClient, ConfigdError, ConfigValueError, parseDuration };
