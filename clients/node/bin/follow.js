#!/usr/bin/env node
'use strict';
// Follows configd keys and prints one JSON line per event: started (the values loaded), change, connected,
// disconnected, resnapshot, warning, failed. An example of the client, and what NodeClientTest drives under Node 20.
// usage: node bin/follow.js <node url>[,<node url>...] <env:prefix> [token]   (or CONFIGD_TOKEN; CONFIGD_CA_FILE: the
// PEM CA certificates to trust for https:// nodes; CONFIGD_INSTANCE, CONFIGD_APP and CONFIGD_LABELS (zone=eu-1,...) name
// the instance; a line "fail" on standard input reports a failure against the revision it runs)
const { ConfigClient } = require('..');

const labels = Object.fromEntries((process.env.CONFIGD_LABELS || '').split(',').filter(Boolean)
  .map((pair) => pair.split('=')));
const instance = process.env.CONFIGD_INSTANCE
  ? { id: process.env.CONFIGD_INSTANCE, app: process.env.CONFIGD_APP || undefined, labels } : undefined;

const [nodes, watch, token = process.env.CONFIGD_TOKEN] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const client = new ConfigClient({ nodes: nodes.split(','), watch, token, syncIntervalMs: 60000,
  backoff: { initialMs: 100, maxMs: 1000 }, caFile: process.env.CONFIGD_CA_FILE || undefined, instance });

client.on('change', (change) => print({ event: 'change', key: change.key, value: change.value, revision: change.revision,
  deleted: change.deleted, rollout: change.rollout }));
client.on('connected', (node) => print({ event: 'connected', node, watermark: client.watermark(watch) }));
client.on('disconnected', () => print({ event: 'disconnected' }));
client.on('warning', (error) => print({ event: 'warning', message: error.message }));
client.on('resnapshot', (reason) => print({ event: 'resnapshot', reason }));

client.start().then(() => {
  const env = watch.split(':')[0];
  const values = Object.fromEntries(client.keys(env).sort().map((key) => [key, client.get(key)]));
  print({ event: 'started', values, watermark: client.watermark(watch) });
}, (error) => {
  print({ event: 'failed', message: error.message, rejected: error.rejected });
  process.exitCode = 2;
});

if (instance) {
  require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'fail') client.reportFailure();
  });
}

process.on('SIGTERM', () => client.close().then(() => process.exit(0)));
