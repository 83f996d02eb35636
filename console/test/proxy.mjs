// A TCP proxy between the browser and the node, to cut the page's network on purpose: cut() closes
// every connection and refuses new ones until restore(); throttle() slows what the node sends.
import net from 'node:net';

export class Proxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.sockets = new Set();
    this.open = true;
  }

  start() {
    this.server = net.createServer((client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream);
      upstream.on('data', (data) => this.toClient(upstream, client, data));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve(this.server.address().port)));
  }

  /** From now on the node's bytes reach the page in pieces of at most bytes, every ms milliseconds (a slow link). */
  throttle(bytes, ms) {
    this.slow = { bytes, ms };
  }

  toClient(upstream, client, data) {
    if (!this.slow) {
      client.write(data);
      return;
    }
    // one piece now, the rest after the pause; the node's later bytes wait behind it
    upstream.pause();
    client.write(data.subarray(0, this.slow.bytes));
    setTimeout(() => {
      if (data.length > this.slow.bytes) {
        this.toClient(upstream, client, data.subarray(this.slow.bytes));
      } else {
        upstream.resume();
      }
    }, this.slow.ms);
  }

  cut() {
    this.open = false;
    for (const socket of this.sockets) {
      socket.destroy();
    }
  }

  restore() {
    this.open = true;
  }

  close() {
    this.cut();
    this.server.close();
  }
}
