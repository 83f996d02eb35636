package io.configd.cli;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "watch", description = {"Prints changes under a prefix as they happen (GET /v1/watch, Server-Sent "
    + "Events), from now unless --since; runs until interrupted or --count changes."})
final class WatchCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Option(names = {"-p", "--prefix"}, defaultValue = "", description = "only keys under it (default: every key)")
  String prefix;

  @Option(names = "--since", paramLabel = "REVISION", description = "replay the changes after this revision first")
  Long since;

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "exit after N changes (a transaction is printed "
      + "whole)")
  Integer count;

  @Option(names = "--no-reconnect", description = "exit 5 when the stream is cut or the node is unavailable; by "
      + "default watch reconnects (0.5 s, doubling to 5 s) and resumes after the last change printed")
  boolean noReconnect;

  /** The revision of the last change printed: where a reconnected stream resumes. */
  private long from;
  private int seen;

  @Override
  public Integer call() {
    Api api = root.api();
    from = since != null ? since : head(api);
    if (!root.json()) {
      root.err().println("watching " + env + ":" + (prefix.isEmpty() ? "*" : prefix) + " after revision " + from
          + " (Ctrl-C stops)");
    }
    long backoff = 0;
    while (count == null || seen < count) {
      String lost;
      try {
        if (follow(api)) {
          backoff = 0;
        }
        lost = "the node closed the stream";
      } catch (IOException e) {
        lost = "the stream was cut (" + e.getMessage() + ")";
      } catch (CliFailure e) {
        if (e.exitCode() != ExitCode.UNAVAILABLE) {
          throw e;
        }
        lost = e.getMessage();
      }
      if (count != null && seen >= count) {
        break;
      }
      if (noReconnect) {
        throw new CliFailure(ExitCode.UNAVAILABLE, lost + " after " + seen + (count == null ? "" : " of " + count)
            + " changes");
      }
      backoff = backoff == 0 ? 500 : Math.min(5_000, backoff * 2);
      root.err().println(lost + "; reconnecting in " + backoff + " ms to resume after revision " + from);
      root.err().flush();
      try {
        Thread.sleep(backoff); // the reconnect's back-off: a pace, not a wait for something to happen
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitCode.OK;
      }
    }
    return ExitCode.OK;
  }

  /**
   * Reads one stream from {@code from} until it ends or {@code count} changes were printed; true once it connected
   * and delivered an event (the back-off starts over).
   */
  private boolean follow(Api api) throws IOException {
    boolean connected = false;
    try (InputStream stream = api.stream(Api.path("/v1/watch", Api.query("env", env, "prefix", prefix, "since", from)));
         BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      connected = true;
      String event = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((count == null || seen < count) && (line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            seen += dispatch(event, data.toString());
          }
          event = null;
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).strip());
        }
      }
    }
    return connected;
  }

  /**
   * Prints one event: a change, or a transaction's changes (a line each, naming the transaction, flushed together);
   * returns how many changes it printed. An error event ends the watch with its problem's exit code.
   */
  private int dispatch(String event, String data) {
    JsonObject json = new JsonObject(data);
    if ("error".equals(event)) {
      throw new CliFailure(ExitCode.forStatus(json.getInteger("status", 503)), json.getString("title", "error") + ": "
          + json.getString("detail", ""));
    }
    JsonArray changes;
    if ("change".equals(event)) {
      changes = new JsonArray().add(json);
      from = json.getLong("revision", from);
    } else if ("txn".equals(event)) {
      changes = json.getJsonArray("changes");
      from = json.getJsonObject("txn").getLong("last", from);
    } else {
      return 0;
    }
    for (int i = 0; i < changes.size(); i++) {
      JsonObject one = changes.getJsonObject(i);
      root.print(one, () -> {
        ConfigValue change = ConfigValue.fromJson(one);
        root.out().println("revision " + change.revision() + "  " + change.key() + "  v" + change.version() + "  "
            + (change.deleted() ? "deleted" : Values.brief(change.value(), 60)) + "  by " + change.updatedBy()
            + (change.txn() == null ? "" : "  txn " + change.txn().id()));
      });
    }
    root.out().flush();
    return changes.size();
  }

  private long head(Api api) {
    return api.get(Api.path("/v1/changes", Api.query("env", env, "prefix", prefix, "limit", 1, "since", 0)))
        .json().getLong("head");
  }
}
