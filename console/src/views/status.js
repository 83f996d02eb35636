// Node status (admins of everything): this node, the cluster, the publisher's leadership and backlog,
// Kafka, Redis and PostgreSQL, bridge subscribers and propagation, refreshed every two seconds. Values
// change in place in boxes of fixed size: nothing moves when they do.
import { h } from '../dom.js';

const EVERY_MILLIS = 2000;

export class StatusView {
  constructor(app) {
    this.app = app;
    this.cells = new Map();
    this.timer = null;
  }

  mount(container) {
    const card = (title, rows) => h('section', { class: 'card', 'aria-label': title }, h('h2', null, title),
      h('dl', null, rows.map(([id, label]) => [h('dt', null, label), this.cell(id)])));
    this.updated = h('p', { class: 'updated', 'aria-live': 'off' });
    container.append(h('section', { class: 'status', 'aria-labelledby': 'status-title' },
      h('h1', { id: 'status-title' }, 'Node status'), this.updated,
      h('div', { class: 'cards' },
        card('Node', [['node', 'Name'], ['ready', 'Ready'], ['pg', 'PostgreSQL'], ['state', 'State']]),
        card('Cluster', [['clustered', 'Clustered'], ['members', 'Members'], ['subscriptionMap', 'Subscription map entries']]),
        card('Publisher', [['leader', 'This node relays'], ['kafka', 'Kafka'], ['backlog', 'Backlog'], ['backlogAge', 'Oldest waiting'],
          ['relayed', 'Relayed'], ['commitToAck', 'Commit to Kafka ack']]),
        card('Redis', [['breaker', 'Breaker'], ['redisErrors', 'Errors'], ['redisHits', 'Hits / misses'], ['policy', 'Eviction policy']]),
        card('Bridge', [['connected', 'Connected sockets'], ['transports', 'By transport'], ['subscriptions', 'Subscriptions'], ['delivered', 'Delivered'],
          ['slowClosed', 'Slow sockets closed']]),
        card('Propagation', [['published', 'Changes published here'], ['duplicates', 'Duplicates dropped'], ['partitions', 'Partitions read'],
          ['lag', 'Lag of the last change']]))));
    this.refresh();
  }

  unmount() {
    clearTimeout(this.timer);
    this.timer = null;
    this.stopped = true;
  }

  envChanged() {}

  cell(id) {
    const dd = h('dd', { 'data-cell': id }, '…');
    this.cells.set(id, dd);
    return dd;
  }

  set(id, value) {
    const dd = this.cells.get(id);
    const text = value == null || value === '' ? '—' : String(value);
    if (dd && dd.textContent !== text) {
      dd.textContent = text;
    }
  }

  async refresh() {
    const api = this.app.api;
    const get = (url) => api.get(url).catch((e) => ({ error: e.message }));
    const [ready, publisher, cache, bridge, cluster, propagation] = await Promise.all([
      fetch('/ready', { cache: 'no-store', credentials: 'omit' }).then((r) => r.json()).catch((e) => ({ error: e.message })),
      get('/v1/stats/publisher'), get('/v1/stats/cache'), get('/v1/stats/bridge'), get('/v1/stats/cluster'), get('/v1/stats/propagation')]);
    if (this.stopped) {
      return;
    }
    this.set('node', publisher.node);
    this.set('ready', ready.status ?? ready.error);
    this.set('pg', ready.checks?.postgresql);
    this.set('state', ready.checks?.node);
    this.set('clustered', cluster.error ?? (cluster.clustered ? 'yes' : 'no'));
    this.set('members', Array.isArray(cluster.members) ? cluster.members.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(', ') : cluster.members ?? 'this node only');
    this.set('subscriptionMap', cluster.subscriptionEntries);
    this.set('leader', publisher.error ?? (publisher.leader ? 'yes' : 'no'));
    this.set('kafka', typeof publisher.kafka === 'object' ? JSON.stringify(publisher.kafka) : publisher.kafka);
    this.set('backlog', publisher.backlog?.size);
    this.set('backlogAge', publisher.backlog?.oldestAgeMs != null ? `${publisher.backlog.oldestAgeMs} ms` : 'nothing waiting');
    this.set('relayed', publisher.relayed);
    this.set('commitToAck', publisher.lastCommitToAckMs != null ? `${publisher.lastCommitToAckMs} ms (max ${publisher.maxCommitToAckMs} ms)` : null);
    const redis = cache.redis ?? {};
    this.set('breaker', cache.error ?? redis.breaker?.state);
    this.set('redisErrors', redis.errors);
    this.set('redisHits', redis.hits != null ? `${redis.hits} / ${redis.misses}` : null);
    this.set('policy', redis.maxmemoryPolicy);
    this.set('connected', bridge.error ?? bridge.connected);
    this.set('transports', bridge.transports ? Object.entries(bridge.transports).map(([name, count]) => `${name} ${count}`).join(', ') : null);
    this.set('subscriptions', bridge.subscriptions);
    this.set('delivered', bridge.delivered);
    this.set('slowClosed', bridge.slowClosed);
    this.set('published', propagation.error ?? propagation.published);
    this.set('duplicates', propagation.duplicates);
    this.set('partitions', propagation.assignedPartitions);
    this.set('lag', propagation.lastLagMillis != null ? `${propagation.lastLagMillis} ms from commit to this node's subscribers` : null);
    this.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    this.timer = setTimeout(() => this.refresh(), EVERY_MILLIS);
  }
}
