package io.configd.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code node console/test/run.mjs --serve} against one node: Node.js, playwright-core and Chromium start once for all
 * of a class's scenarios instead of once per scenario. Each scenario still gets browser contexts of its own (its own
 * session storage), closed when it ends; its output is printed, and is the failure message when it fails.
 */
final class BrowserScenarios implements AutoCloseable {

  private static final String EXITED = "@@exited";

  private final Process process;
  private final Writer names;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private BrowserScenarios(Process process) {
    this.process = process;
    this.names = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(output unreadable: " + e + ")");
      }
      lines.add(EXITED);
    }, "browser-scenarios");
    reader.setDaemon(true);
    reader.start();
  }

  static BrowserScenarios start(File project, TestNode node, String artifacts, File chromium, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder("node", "console/test/run.mjs", "--serve").directory(project)
        .redirectErrorStream(true);
    builder.environment().put("CONSOLE_URL", "http://127.0.0.1:" + node.port());
    builder.environment().put("CONSOLE_ADMIN_TOKEN", node.adminToken());
    builder.environment().put("CONSOLE_ARTIFACTS", artifacts);
    builder.environment().put("CHROMIUM", chromium.getPath());
    builder.environment().putAll(environment);
    try {
      return new BrowserScenarios(builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("could not run node console/test/run.mjs (is Node.js installed? bin/test installs it)", e);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Runs one scenario and fails with its output unless it passed; a hung browser is stopped after 6 minutes. */
  void play(String name) {
    try {
      names.write(name + "\n");
      names.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the scenario runner is gone", e);
    }
    StringBuilder output = new StringBuilder();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
    String verdict = null;
    try {
      while (verdict == null) {
        // the scenario script has its own deadline for every wait; this one only guards against a hung browser
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          process.destroyForcibly();
          verdict = "did not end within 6 minutes";
        } else if (line.equals(EXITED)) {
          verdict = "ended with the runner's exit";
        } else if (line.startsWith("@@scenario " + name + " ")) {
          verdict = line.substring(("@@scenario " + name + " ").length());
        } else {
          output.append(line).append('\n');
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    System.out.print(output);
    assertThat(verdict).as("scenario %s:%n%s", name, output).isEqualTo("passed");
  }

  @Override
  public void close() {
    try {
      names.close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
