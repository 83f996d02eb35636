package io.configd;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback that a test puts between configd and a service to make the service unreachable
 * on demand: {@link #cut()} closes every proxied connection and drops new ones until {@link #restore()}.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final boolean reset;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private final AtomicInteger accepted = new AtomicInteger();
  private NetServer server;
  private NetClient client;

  public TcpProxy(Vertx vertx) {
    this(vertx, false);
  }

  private TcpProxy(Vertx vertx, boolean reset) {
    this.vertx = vertx;
    this.reset = reset;
  }

  /** A proxy whose {@link #cut()} resets the connections (SO_LINGER 0: an RST, not a FIN), as a crashed peer would. */
  public static TcpProxy resetting(Vertx vertx) {
    return new TcpProxy(vertx, true);
  }

  /** Listens on a spare loopback port and relays every connection to the target; completes with that port. */
  public Future<Integer> start(String targetHost, int targetPort) {
    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000).setSoLinger(reset ? 0 : -1));
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setSoLinger(reset ? 0 : -1));
    return server.connectHandler(downstream -> relay(downstream, targetHost, targetPort)).listen()
        .map(NetServer::actualPort);
  }

  public int port() {
    return server.actualPort();
  }

  /** The connections it has accepted so far, those it closed at once while cut included. */
  public int accepted() {
    return accepted.get();
  }

  /** The sockets it relays now, both sides of each connection counted. */
  public int sockets() {
    return sockets.size();
  }

  /** Closes every connection through the proxy; new ones are closed as soon as they are accepted. */
  public Future<Void> cut() {
    cut = true;
    List<Future<Void>> closing = new ArrayList<>();
    sockets.forEach(socket -> closing.add(socket.close()));
    return Future.join(closing).mapEmpty();
  }

  /** Lets connections through again. */
  public void restore() {
    cut = false;
  }

  public Future<Void> close() {
    cut = true;
    return Future.join(server.close(), client.close()).mapEmpty();
  }

  private void relay(NetSocket downstream, String targetHost, int targetPort) {
    accepted.incrementAndGet();
    if (cut) {
      downstream.close();
      return;
    }
    downstream.pause();
    track(downstream);
    client.connect(targetPort, targetHost)
        .onSuccess(upstream -> {
          track(upstream);
          if (cut) {
            upstream.close();
            downstream.close();
            return;
          }
          downstream.pipeTo(upstream);
          upstream.pipeTo(downstream);
        })
        .onFailure(failure -> downstream.close());
  }

  private void track(NetSocket socket) {
    sockets.add(socket);
    socket.closeHandler(closed -> sockets.remove(socket));
  }
}
