// Subscribes through the official Vert.x event-bus bridge client (SockJS) and prints one JSON line
// per event, for BridgeJavaScriptClientTest: ready (registered, checked by a snapshot round trip),
// message (a change arrived), denied (a refused registration reached onerror), error.
// usage: node subscribe.js <bridge url> <permitted address> <forbidden address>
const EventBus = require('@vertx/eventbus-bridge-client.js');

const [url, address, forbidden] = process.argv.slice(2);
const print = (event) => process.stdout.write(JSON.stringify(event) + '\n');
const eb = new EventBus(url);

eb.onerror = (err) => print({ event: err && err.body === 'access_denied' ? 'denied' : 'error', err });
eb.onopen = () => {
  eb.registerHandler(forbidden, (err, msg) => {
    print({ event: 'leak', err, msg });
  });
  eb.registerHandler(address, (err, msg) => {
    if (err) {
      print({ event: 'error', err });
    } else {
      print({ event: 'message', address: msg.address, body: msg.body });
    }
  });
  // Frames of one socket are handled in order: once this reply arrives, both registrations were decided.
  eb.send('configd.snapshot', { env: address.split('.')[1] }, (err, reply) => {
    print(err ? { event: 'error', err } : { event: 'ready', revision: reply.body.revision });
  });
};
eb.onclose = () => print({ event: 'closed' });
