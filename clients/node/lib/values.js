'use strict';
// The values a client holds and how far it knows them, with the rules of the Java client (LocalState):
// a change is applied only when it is newer than the key's high-water revision and than the complete mark of every
// watch covering it (a revision up to which the watch is known complete: a finished snapshot or catch-up answer).
// The watermark, where a watch resumes, moves with those and with each live change on a connection in step (a node
// releases changes in global revision order), and never goes back; a change released late (a node gave up waiting
// for it and released later ones first) is below the watermark, above the complete mark, applied when newer for its key.

const NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** One watched subtree: every key of env equal to prefix or below it ('' for the whole environment). */
function parseWatch(watch) {
  let env;
  let prefix;
  if (typeof watch === 'string') {
    const colon = watch.indexOf(':');
    env = (colon < 0 ? watch : watch.slice(0, colon)).trim();
    prefix = colon < 0 ? '' : watch.slice(colon + 1).trim();
  } else {
    ({ env, prefix = '' } = watch || {});
  }
  prefix = prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
  if (!env || !NAME.test(env) || env.includes('.')) {
    throw new Error(`environment '${env}' is not a valid name (letters, digits, '_' and '-')`);
  }
  if (prefix !== '' && !NAME.test(prefix)) {
    throw new Error(`prefix '${prefix}' is not a key prefix: dot-separated segments of letters, digits, '_' and '-'`);
  }
  return Object.freeze({ env, prefix, id: `${env}:${prefix}`, address: prefix ? `config.${env}.${prefix}` : `config.${env}` });
}

function isUnder(key, prefix) {
  return prefix === '' || key === prefix || key.startsWith(prefix + '.');
}

function covers(watch, change) {
  return watch.env === change.env && isUnder(change.key, watch.prefix);
}

class Values {
  constructor(watches) {
    this.watches = watches;
    this.byEnv = new Map(watches.map((w) => [w.env, new Map()]));
    this.revisions = new Map();
    this.watermarks = new Map();
    this.complete = new Map();
    /** the database's epoch the values come from; undefined until a node said */
    this.epoch = undefined;
  }

  /** Applies the change unless it is outside every watch, a duplicate or older than what is held; true when applied. */
  apply(change) {
    let floor = -1;
    let covered = false;
    for (const watch of this.watches) {
      if (covers(watch, change)) {
        covered = true;
        floor = Math.max(floor, this.complete.get(watch.id) ?? -1);
      }
    }
    const id = `${change.env}\u0000${change.key}`;
    if (!covered || change.revision <= floor || change.revision <= (this.revisions.get(id) ?? -1)) {
      return false;
    }
    this.revisions.set(id, change.revision);
    const env = this.byEnv.get(change.env);
    if (change.deleted) {
      env.delete(change.key);
    } else {
      env.set(change.key, change);
    }
    return true;
  }

  /**
   * Replaces what every watch holds with a fresh snapshot (a new epoch, or changes pruned by retention): a key it does
   * not hold is gone, the watermarks are the snapshot's. Returns what listeners hear: each new or changed value, and a
   * deletion for each key that no longer exists.
   */
  replace(epoch, fresh, marks) {
    const before = new Map();
    for (const [env, held] of this.byEnv) {
      for (const [key, change] of held) before.set(`${env}\u0000${key}`, change);
    }
    const heard = [];
    const after = new Set();
    this.revisions.clear();
    for (const held of this.byEnv.values()) held.clear();
    for (const change of fresh) {
      const id = `${change.env}\u0000${change.key}`;
      after.add(id);
      this.revisions.set(id, change.revision);
      this.byEnv.get(change.env).set(change.key, change);
      const old = before.get(id);
      if (!old || old.version !== change.version || old.revision !== change.revision) heard.push(change);
    }
    for (const [id, old] of before) {
      if (after.has(id)) continue;
      let revision = old.revision;
      for (const watch of this.watches) {
        if (covers(watch, old) && marks.has(watch.id)) revision = Math.max(revision, marks.get(watch.id));
      }
      heard.push(Object.freeze({ ...old, value: null, revision, deleted: true, updatedAt: new Date().toISOString(), updatedBy: null }));
    }
    this.watermarks = new Map(marks);
    this.complete = new Map(marks);
    this.epoch = epoch;
    return heard;
  }

  /** The watch holds every change up to revision (a snapshot or catch-up answer). */
  advance(watch, revision) {
    this.watermarks.set(watch.id, Math.max(revision, this.watermarks.get(watch.id) ?? -1));
    this.complete.set(watch.id, Math.max(revision, this.complete.get(watch.id) ?? -1));
  }

  /**
   * A live change on a connection in step: its revision is the watermark of every loaded watch covering it; unless
   * the node says a revision it gave up has not come yet (its frames' resumeAfter): then up to resumeAfter only.
   * resumeAfter never goes back on one connection, so the newest frame's bounds the earlier ones too.
   */
  advanceLive(change, resumeAfter = Infinity) {
    const mark = Math.min(change.revision, resumeAfter);
    for (const watch of this.watches) {
      if (covers(watch, change) && this.watermarks.has(watch.id)) {
        this.watermarks.set(watch.id, Math.max(mark, this.watermarks.get(watch.id)));
      }
    }
  }

  watermark(watch) {
    return this.watermarks.get(watch.id);
  }

  current(env, key) {
    const held = this.byEnv.get(env);
    return held ? held.get(key) : undefined;
  }

  keys(env) {
    const held = this.byEnv.get(env);
    return held ? [...held.keys()] : [];
  }
}

/**
 * Groups a connection's live changes into what is applied together: a change no transaction wrote alone, a
 * transaction's changes once the connection brought txn.count of them (a node sends them back to back; a node that
 * gives no count: once its last revision came). What is left open when the connection is lost is dropped: the
 * catch-up brings it whole. The Java client's TxnUnits.
 */
class TxnUnits {
  constructor() {
    this.open = [];
    this.openId = undefined;
  }

  /** Takes the next live change; returns the units it completes, in order (none while its transaction is open). */
  add(change) {
    const units = [];
    const txn = change.txn;
    if (this.open.length > 0 && (!txn || txn.id !== this.openId)) {
      units.push(this.open);
      this.open = [];
    }
    if (!txn) {
      units.push([change]);
      return units;
    }
    this.openId = txn.id;
    this.open.push(change);
    if (Number.isInteger(txn.count) ? this.open.length >= txn.count : change.revision >= txn.last) {
      units.push(this.open);
      this.open = [];
    }
    return units;
  }

  clear() {
    this.open = [];
  }

  /** Whole pages' changes (a catch-up answer never ends inside a transaction), by revision, each transaction together. */
  static ofPages(changes) {
    const sorted = [...changes].sort((a, b) => a.revision - b.revision);
    const units = [];
    let unit = [];
    for (const change of sorted) {
      const same = unit.length > 0 && change.txn && unit[0].txn && unit[0].txn.id === change.txn.id;
      if (unit.length > 0 && !same) {
        units.push(unit);
        unit = [];
      }
      unit.push(change);
    }
    if (unit.length > 0) units.push(unit);
    return units;
  }
}

/**
 * A change as the bridge carries it: {key, env, value, version, revision, updatedAt, updatedBy, deleted, critical},
 * txn {id, last, count} when a transaction wrote it, and rollout {id, action, selector?, percentage?} when it is a
 * rollout's value for this instance (null otherwise).
 */
function toChange(json) {
  if (!json || typeof json.key !== 'string' || typeof json.env !== 'string' || !Number.isInteger(json.version)
      || !Number.isInteger(json.revision)) {
    throw new Error(`not a configuration value: ${JSON.stringify(json)}`);
  }
  return Object.freeze({
    key: json.key, env: json.env, value: json.value, version: json.version, revision: json.revision,
    updatedAt: json.updatedAt ?? null, updatedBy: json.updatedBy ?? null,
    deleted: json.deleted === true, critical: json.critical === true,
    txn: json.txn && Number.isInteger(json.txn.id)
      ? Object.freeze({ id: json.txn.id, last: json.txn.last, count: json.txn.count ?? null }) : null,
    rollout: json.rollout && typeof json.rollout === 'object' ? Object.freeze({ ...json.rollout }) : null,
  });
}

module.exports = { parseWatch, isUnder, covers, Values, TxnUnits, toChange };
