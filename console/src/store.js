// The current entries of one environment as this page knows them: loaded from the bridge's snapshot,
// kept current by its live changes and catch-up. Per key, a change at or below the revision already
// applied is dropped (duplicates and late snapshot pages), deletions included.

function lowerBound(keys, target) {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (keys[mid] < target) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

/** Whether key is prefix or below it ('' holds every key). */
function under(prefix, key) {
  return prefix === '' || key === prefix || key.startsWith(`${prefix}.`);
}

export class EnvStore {
  constructor(env) {
    this.env = env;
    this.entries = new Map();
    /** Every key, sorted as the server sorts them (byte order: keys are ASCII). */
    this.keys = [];
    this.revisions = new Map();
    this.listeners = new Set();
    this.loaded = false;
  }

  /** Applies changes; listeners hear of those that changed something, once per batch. */
  apply(changes, live = false) {
    const applied = [];
    let added = false;
    for (const change of changes) {
      const known = this.revisions.get(change.key);
      if (known !== undefined && change.revision <= known) {
        continue;
      }
      this.revisions.set(change.key, change.revision);
      const had = this.entries.has(change.key);
      if (change.deleted) {
        if (had) {
          this.entries.delete(change.key);
          if (live) {
            this.keys.splice(lowerBound(this.keys, change.key), 1);
          } else {
            added = true;
          }
        }
      } else {
        this.entries.set(change.key, change);
        if (!had) {
          if (live) {
            this.keys.splice(lowerBound(this.keys, change.key), 0, change.key);
          } else {
            added = true;
          }
        }
      }
      applied.push(change);
    }
    if (added) {
      this.keys = [...this.entries.keys()].sort();
    }
    if (applied.length > 0) {
      this.listeners.forEach((listener) => listener(applied, live));
    }
    return applied;
  }

  /**
   * Forgets the revisions known at or under prefix, keeping what is shown: a fresh snapshot follows (the database
   * was restored, or the changes to catch up were pruned), and its values are taken whatever revision they carry.
   */
  forget(prefix) {
    for (const key of [...this.revisions.keys()]) {
      if (under(prefix, key)) {
        this.revisions.delete(key);
      }
    }
  }

  /** After forget and the fresh snapshot: drops what is at or under prefix that neither it nor a live change brought. */
  prune(prefix) {
    let removed = false;
    for (const key of [...this.entries.keys()]) {
      if (under(prefix, key) && !this.revisions.has(key)) {
        this.entries.delete(key);
        removed = true;
      }
    }
    if (removed) {
      this.keys = [...this.entries.keys()].sort();
      this.listeners.forEach((listener) => listener([], false));
    }
  }

  markLoaded() {
    this.loaded = true;
    this.listeners.forEach((listener) => listener([], false));
  }

  /** Indexes [from, to) of the keys strictly below prefix (not the prefix itself). */
  below(prefix) {
    if (prefix === '') {
      return [0, this.keys.length];
    }
    return [lowerBound(this.keys, `${prefix}.`), lowerBound(this.keys, `${prefix}/`)];
  }

  /** Keys equal to or under prefix, optionally containing text. */
  keysUnder(prefix, text = '') {
    const [from, to] = this.below(prefix);
    const found = [];
    if (prefix !== '' && this.entries.has(prefix)) {
      found.push(prefix);
    }
    const needle = text.toLowerCase();
    for (let i = from; i < to; i += 1) {
      if (!needle || this.keys[i].toLowerCase().includes(needle)) {
        found.push(this.keys[i]);
      }
    }
    return found;
  }

  /**
   * The segments right below prefix, with how many keys each holds (itself included), whether it has keys
   * below it, and whether some of those are below a further segment (a prefix of its own).
   */
  children(prefix) {
    const [from, to] = this.below(prefix);
    const start = prefix === '' ? 0 : prefix.length + 1;
    const found = new Map();
    for (let i = from; i < to; i += 1) {
      const key = this.keys[i];
      const dot = key.indexOf('.', start);
      const segment = dot < 0 ? key.slice(start) : key.slice(start, dot);
      let child = found.get(segment);
      if (!child) {
        child = { segment, path: prefix === '' ? segment : `${prefix}.${segment}`, count: 0, hasChildren: false, hasPrefixes: false };
        found.set(segment, child);
      }
      child.count += 1;
      if (dot >= 0) {
        child.hasChildren = true;
        child.hasPrefixes ||= key.indexOf('.', dot + 1) >= 0;
      }
    }
    return [...found.values()];
  }

  count(prefix) {
    const [from, to] = this.below(prefix);
    return to - from + (prefix !== '' && this.entries.has(prefix) ? 1 : 0);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
