package io.configd.bench;

import io.configd.TestServices;
import io.configd.Eventually;
import java.time.Duration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the bench's own on a spare loopback port, without persistence, for the "Redis stopped" read
 * variant: the bench kills it by its PID. The shared Redis on 6379 is never touched.
 */
final class OwnRedis {

  private final Process process;
  private final int port;
  private final Thread stopOnExit;

  private OwnRedis(Process process, int port) {
    this.process = process;
    this.port = port;
    this.stopOnExit = new Thread(process::destroyForcibly, "bench-stop-redis");
    Runtime.getRuntime().addShutdownHook(stopOnExit);
  }

  /** Whether a redis-server is on the PATH. */
  static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "redis-server"))) {
        return true;
      }
    }
    return false;
  }

  static OwnRedis start(Path log) throws IOException {
    int port = TestServices.freePort();
    Files.createDirectories(log.getParent());
    Process process = new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxmemory-policy", "allkeys-lru"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    OwnRedis redis = new OwnRedis(process, port);
    try {
      Eventually.await("the bench's redis-server on port " + port + " to answer PING", Duration.ofSeconds(30), () -> {
        if (!process.isAlive()) {
          throw new AssertionError("it exited with " + process.exitValue());
        }
        return redis.pong();
      });
    } catch (AssertionError e) {
      redis.kill();
      throw new IllegalStateException("the bench's redis-server on port " + port + " did not answer PING (" + e.getMessage()
          + "); see " + log, e);
    }
    System.out.println("started redis-server on 127.0.0.1:" + port + " (pid " + process.pid() + ")");
    return redis;
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL to this server's PID, as a crash would; waits until it is gone. */
  void kill() {
    if (process.isAlive()) {
      System.out.println("killing the bench's redis-server (pid " + process.pid() + ", SIGKILL)");
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook is killing it already
    }
  }

  private boolean pong() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] answer = in.readNBytes(7);
      return new String(answer, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }
}
