package io.configd.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;

/**
 * The ceiling of this stack on this machine: a plain Vert.x HTTP server, in a JVM of its own like the node, with as
 * many instances as the node has API instances, answering every request with a fixed body the size of a hot read's
 * answer. What the node does on a hot read beyond this (routing, the token, the near cache) is what it costs.
 * {@code java -cp <test classpath> io.configd.bench.CeilingServer <port> <body bytes> <instances>}; prints
 * "listening" once it is.
 */
public final class CeilingServer extends VerticleBase {

  private final int port;
  private final Buffer body;
  private HttpServer server;

  private CeilingServer(int port, Buffer body) {
    this.port = port;
    this.body = body;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    Buffer body = Buffer.buffer("{\"pad\":\"" + "x".repeat(Math.max(0, Integer.parseInt(args[1]) - 10)) + "\"}");
    int instances = Integer.parseInt(args[2]);
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new CeilingServer(port, body), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("listening on " + port))
        .onFailure(failure -> {
          System.err.println("ceiling server failed: " + failure);
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("Content-Type", "application/json").end(body))
        .listen(port, "127.0.0.1")
        .onSuccess(listening -> server = listening);
  }
}
