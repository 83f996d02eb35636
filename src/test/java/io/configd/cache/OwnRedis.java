package io.configd.cache;

import io.configd.TestServices;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a spare loopback port, without persistence, that the test may kill, pause
 * and restart. Only this process is ever signalled, by its own PID.
 */
final class OwnRedis implements AutoCloseable {

  private final int port;
  private final List<String> extraArgs;
  private Process process;

  OwnRedis(String... extraArgs) {
    this.port = TestServices.freePort();
    this.extraArgs = List.of(extraArgs);
  }

  String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts it (again) on the same port and returns once it accepts connections. */
  OwnRedis start() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(TestServices.redisServerBinary(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CountDownLatch ready = new CountDownLatch(1);
    Process started = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (line.contains("Ready to accept connections")) {
            ready.countDown();
          }
        }
      } catch (IOException ignored) {
        // the process went away
      }
    }, "own-redis-" + port);
    reader.setDaemon(true);
    reader.start();
    if (!ready.await(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("redis-server on port " + port + " did not get ready within 15 s");
    }
    return this;
  }

  /** SIGKILL, as a crash would. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGSTOP: the server keeps its sockets but answers nothing, as a Redis stuck in a long command. */
  void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      resume();
      kill();
    }
  }

  private void signal(String signal) throws IOException, InterruptedException {
    int exit = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited with " + exit);
    }
  }
}
