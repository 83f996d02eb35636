// Subscribes through the official Vert.x event-bus bridge client (SockJS) and prints one JSON line
// per event, for BridgeJavaScriptClientTest: ready (registered, checked by a snapshot round trip),
// message (a change arrived), denied (a refused registration reached onerror), error.
// Every frame carries the token in its headers, as the bridge protocol allows.
// usage: node subscribe.js <bridge url> <permitted address> <forbidden address> <token>
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [url, address, forbidden, token] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const eb = new EventBus(url);

eb.onerror = (err) => print({ event: err && err.body === 'access_denied' ? 'denied' : 'error', err });
eb.onopen = () => {
  eb.registerHandler(forbidden, headers, (err, msg) => {
    print({ event: 'leak', err, msg });
  });
  eb.registerHandler(address, headers, (err, msg) => {
    if (err) {
      print({ event: 'error', err });
    } else {
      print({ event: 'message', address: msg.address, body: msg.body });
    }
  });
  // Frames of one socket are handled in order: once this reply arrives, both registrations were decided.
  eb.send('configd.snapshot', { env: address.split('.')[1] }, headers, (err, reply) => {
    print(err ? { event: 'error', err } : { event: 'ready', revision: reply.body.revision });
  });
};
eb.onclose = () => print({ event: 'closed' });
