package io.configd.chaos;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One configd node (io.configd.Main, unmodified) in a JVM of its own inside its network namespace. The chaos
 * run kills it (SIGKILL), freezes it (SIGSTOP, SIGCONT) and starts it again with the same configuration.
 */
final class ChaosNode {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final int number;
  private final String namespace;
  private final String host;
  private final JsonObject config;
  private final Path dir;
  private Process process;
  private boolean frozen;

  ChaosNode(int number, String namespace, String host, JsonObject config, Path dir) {
    this.number = number;
    this.namespace = namespace;
    this.host = host;
    this.config = config;
    this.dir = dir;
  }

  String name() {
    return "node-" + number;
  }

  int number() {
    return number;
  }

  String url() {
    return "http://" + host + ":" + config.getJsonObject("http").getInteger("port");
  }

  synchronized void start() {
    try {
      Path conf = dir.resolve(name() + ".json");
      Files.writeString(conf, config.encodePrettily());
      ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", namespace,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          "io.configd.Main");
      builder.environment().keySet().removeIf(variable -> variable.startsWith("CONFIGD_"));
      builder.environment().put("CONFIGD_CONF", conf.toString());
      File log = dir.resolve(name() + ".log").toFile();
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
      process = builder.start(); // ip netns exec execs the JVM in place: this is the JVM's own PID
      frozen = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name(), e);
    }
  }

  /**
   * Waits for /ready; a node that exits while starting (under load its first connections can time out) is started
   * again, as an orchestrator would. How many starts it took is in the node's log.
   */
  void awaitReady(int seconds) {
    Waits.until(name() + " to be ready (log: " + dir.resolve(name() + ".log") + ")", seconds, this::readyOrRestarted);
  }

  /** Ready; or, when the node exited, started again (false: not ready yet). */
  boolean readyOrRestarted() {
    synchronized (this) {
      if (!isAlive()) {
        System.out.println("chaos: " + name() + " exited while starting; starting it again");
        start();
        return false;
      }
    }
    return ready();
  }

  boolean ready() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL: the node releases nothing; its leadership lock dies with its PostgreSQL connections. */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    if (frozen) {
      thaw();
    }
    process.destroyForcibly();
    try {
      process.waitFor(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized void freeze() {
    if (isAlive()) {
      Shell.signal(process.pid(), "STOP");
      frozen = true;
    }
  }

  synchronized void thaw() {
    if (process != null && frozen) {
      Shell.signal(process.pid(), "CONT");
      frozen = false;
    }
  }

  /** SIGTERM without waiting, so that the run's nodes stop together; {@link #stop} then waits. */
  synchronized void terminate() {
    if (process != null) {
      thaw();
      process.destroy();
    }
  }

  /** SIGTERM, for the end of the run. */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    thaw();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
