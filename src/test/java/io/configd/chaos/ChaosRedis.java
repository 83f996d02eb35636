package io.configd.chaos;

import io.configd.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A redis-server of the run's own, without persistence, on a spare port of loopback and the services bridge. */
final class ChaosRedis implements AutoCloseable {

  private final String host;
  private final int port;
  private final ServerProcess server;

  ChaosRedis(String host, int port, Path log) {
    this.host = host;
    this.port = port;
    this.server = new ServerProcess("the run's redis-server",
        new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", host,
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxmemory-policy", "allkeys-lru",
            // the nodes reach it from their network namespaces, not from loopback: no protected mode
            "--protected-mode", "no"))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())),
        host, port);
  }

  void start() {
    server.start(Duration.ofSeconds(30));
  }

  /** SIGKILL. */
  void kill() {
    server.kill();
  }

  String uri() {
    return "redis://" + host + ":" + port;
  }

  @Override
  public void close() {
    kill();
  }
}
