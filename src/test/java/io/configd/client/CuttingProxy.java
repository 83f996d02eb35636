package io.configd.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicLong;

/** Relays to the node; once armed, it lets a given number of bytes more reach the client, then closes the link. */
final class CuttingProxy {
  private final Vertx vertx;
  private final int target;
  private NetServer server;
  private NetClient client;
  private volatile long allowance = -1;
  private final AtomicLong cuts = new AtomicLong();

  private CuttingProxy(Vertx vertx, int target) {
    this.vertx = vertx;
    this.target = target;
  }

  static Future<CuttingProxy> start(Vertx vertx, int target) {
    CuttingProxy proxy = new CuttingProxy(vertx, target);
    proxy.client = vertx.createNetClient();
    proxy.server = vertx.createNetServer().connectHandler(proxy::relay);
    return proxy.server.listen(0, "127.0.0.1").map(server -> proxy);
  }

  int port() {
    return server.actualPort();
  }

  long cuts() {
    return cuts.get();
  }

  void cutAfter(long bytes) {
    allowance = bytes;
  }

  private void relay(NetSocket inbound) {
    inbound.pause();
    client.connect(target, "127.0.0.1").onSuccess(outbound -> {
      inbound.handler(outbound::write);
      outbound.handler(data -> {
        long left = allowance;
        if (left < 0) {
          inbound.write(data);
        } else if (left > data.length()) {
          allowance = left - data.length();
          inbound.write(data);
        } else {
          allowance = -1;
          inbound.write(data.getBuffer(0, (int) left));
          cuts.incrementAndGet();
          inbound.close();
          outbound.close();
        }
      });
      inbound.closeHandler(v -> outbound.close());
      outbound.closeHandler(v -> inbound.close());
      inbound.resume();
    }).onFailure(failure -> inbound.close());
  }

  Future<Void> close() {
    return server.close().eventually(() -> client.close());
  }
}
