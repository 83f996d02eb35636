#!/usr/bin/env node
'use strict';
// Follows configd keys and prints one JSON line per event: started (the values loaded), change, connected,
// disconnected, resnapshot, warning, failed. An example of the client, and what NodeClientTest drives under Node 20.
// usage: node bin/follow.js <node url>[,<node url>...] <env:prefix> [token]   (or CONFIGD_TOKEN; CONFIGD_CA_FILE: the
// PEM CA certificates to trust for https:// nodes)
const { ConfigClient } = require('..');

const [nodes, watch, token = process.env.CONFIGD_TOKEN] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const client = new ConfigClient({ nodes: nodes.split(','), watch, token, syncIntervalMs: 60000,
  backoff: { initialMs: 100, maxMs: 1000 }, caFile: process.env.CONFIGD_CA_FILE || undefined });

client.on('change', (change) => print({ event: 'change', key: change.key, value: change.value, revision: change.revision,
  deleted: change.deleted }));
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

process.on('SIGTERM', () => client.close().then(() => process.exit(0)));
