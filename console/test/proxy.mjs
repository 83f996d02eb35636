// A TCP proxy between the browser and the node, to cut the page's network on purpose: cut() closes
// every connection and refuses new ones until restore(); holdAfter() stalls what the node sends.
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

  /**
   * From now on the node's bytes reach the page up to the end of the first occurrence of marker, then no more until
   * release(): the page holds part of what the node sent (a link that stalls). Resolves once it holds.
   */
  holdAfter(marker) {
    return new Promise((resolve) => {
      this.hold = { marker: Buffer.from(marker), held: [], resolve };
    });
  }

  release() {
    const { held } = this.hold;
    this.hold = null;
    for (const { upstream, client, data } of held) {
      client.write(data);
      upstream.resume();
    }
  }

  toClient(upstream, client, data) {
    const hold = this.hold;
    if (!hold) {
      client.write(data);
      return;
    }
    if (hold.held.length > 0) {
      upstream.pause();
      hold.held.push({ upstream, client, data });
      return;
    }
    const at = data.indexOf(hold.marker);
    if (at < 0) {
      client.write(data);
      return;
    }
    const end = at + hold.marker.length;
    client.write(data.subarray(0, end));
    upstream.pause();
    hold.held.push({ upstream, client, data: data.subarray(end) });
    hold.resolve();
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
