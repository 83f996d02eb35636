package io.configd.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

/** A redis-server of the run's own, without persistence, on a spare port of loopback and the services bridge. */
final class ChaosRedis implements AutoCloseable {

  private final String host;
  private final int port;
  private final Path log;
  private Process process;

  ChaosRedis(String host, int port, Path log) {
    this.host = host;
    this.port = port;
    this.log = log;
  }

  void start() {
    try {
      process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", host,
          "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxmemory-policy", "allkeys-lru"))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("the chaos run needs redis-server on the PATH", e);
    }
    Waits.until("the run's redis-server on " + host + ":" + port, 30, this::accepts);
  }

  /** SIGKILL. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      Waits.until("redis-server to exit", 30, () -> !process.isAlive());
    }
  }

  String uri() {
    return "redis://" + host + ":" + port;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    kill();
  }
}
