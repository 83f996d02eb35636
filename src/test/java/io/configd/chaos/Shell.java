package io.configd.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the few system commands the chaos run needs (ip, kill, pg_ctl) and says what failed. */
final class Shell {

  private Shell() {
  }

  /** Runs the command, fails with its output unless it exits 0. */
  static String run(String... command) {
    Result result = tryRun(command);
    if (result.exit() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + result.exit() + ": " + result.output().strip());
    }
    return result.output();
  }

  /** Runs the command and reports how it ended, without failing. */
  static Result tryRun(String... command) {
    try {
      Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, output + " (timed out)");
      }
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  /** Sends a signal by name (KILL, STOP, CONT) to one process of the run's own. */
  static void signal(long pid, String signal) {
    tryRun("kill", "-" + signal, Long.toString(pid));
  }

  record Result(int exit, String output) {
  }
}
