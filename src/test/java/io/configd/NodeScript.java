package io.configd;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Node.js script run by a test, printing one JSON object per line ({"event": ...}); other lines are kept as
 * {"event": "output", "line": ...}. The JavaScript clients' tests drive theirs this way.
 */
public final class NodeScript implements AutoCloseable {

  private final Process process;
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();

  private NodeScript(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        lines.lines().forEach(line -> events.add(line.startsWith("{") ? new JsonObject(line)
            : new JsonObject().put("event", "output").put("line", line)));
      } catch (IOException e) {
        events.add(new JsonObject().put("event", "reader-failed").put("error", e.toString()));
      }
    }, "node-script-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Runs {@code node script args...} in {@code directory}. */
  public static NodeScript start(File directory, String script, String... args) throws IOException {
    return start(directory, java.util.Map.of(), script, args);
  }

  /** The same with these environment variables added. */
  public static NodeScript start(File directory, java.util.Map<String, String> environment, String script,
                                 String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("node", script));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory).redirectErrorStream(true);
    builder.environment().putAll(environment);
    return new NodeScript(builder.start());
  }

  public List<JsonObject> events() {
    return events;
  }

  public boolean has(String event) {
    return events.stream().anyMatch(e -> event.equals(e.getString("event")));
  }

  public long count(String event) {
    return events.stream().filter(e -> event.equals(e.getString("event"))).count();
  }

  /** Waits for an event of this name; the latest one. */
  public JsonObject await(String event, Duration timeout) {
    return Eventually.value("a '" + event + "' event (events: " + events + ")", timeout,
        () -> events.stream().filter(e -> event.equals(e.getString("event"))).reduce((a, b) -> b).orElse(null),
        found -> found != null);
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
