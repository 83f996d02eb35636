package io.configd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A server of a test's own in a child process (a Kafka broker, a redis-server): ready once its port accepts
 * connections, stopped by its PID with SIGTERM as an operator would, or with SIGKILL as a crash would. It can be
 * started again after either, with the same command.
 */
public final class ServerProcess {

  private final String name;
  private final ProcessBuilder command;
  private final String host;
  private final int port;
  private Process process;

  /** {@code name} says whose server it is in failures ("the run's redis-server"). */
  public ServerProcess(String name, ProcessBuilder command, String host, int port) {
    this.name = name;
    this.command = command;
    this.host = host;
    this.port = port;
  }

  /**
   * Starts the process and returns once its port accepts; when it exits first or the time runs out, it is killed
   * and an IllegalStateException says which.
   */
  public void start(Duration timeout) {
    try {
      process = command.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
    }
    Process started = process;
    try {
      // Polling the port: the server gives no other sign that it listens.
      Eventually.await(name + " on " + host + ":" + port, timeout, () -> !started.isAlive() || accepts());
    } catch (AssertionError e) {
      kill();
      throw new IllegalStateException(e.getMessage(), e);
    }
    if (!started.isAlive()) {
      throw new IllegalStateException(name + " on " + host + ":" + port + " exited with " + started.exitValue());
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGTERM, then waits for it to exit; SIGKILL if it has not within 30 s. */
  public void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process = null;
  }

  /** SIGKILL: no controlled shutdown; waits (up to 30 s) until it is gone. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
