package io.configd.cli;

import io.configd.model.ConfigValue;
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

  @Option(names = {"-n", "--count"}, paramLabel = "N", description = "exit after N changes")
  Integer count;

  @Override
  public Integer call() throws IOException {
    Api api = root.api();
    long from = since != null ? since : head(api);
    if (!root.json()) {
      root.err().println("watching " + env + ":" + (prefix.isEmpty() ? "*" : prefix) + " after revision " + from
          + " (Ctrl-C stops)");
    }
    int seen = 0;
    try (InputStream stream = api.stream(Api.path("/v1/watch", Api.query("env", env, "prefix", prefix, "since", from)));
         BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
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
    if (count != null && seen < count) {
      throw new CliFailure(ExitCode.UNAVAILABLE, "the node closed the stream after " + seen + " of " + count + " changes");
    }
    return ExitCode.OK;
  }

  /** Prints one event; returns 1 for a change. An error event ends the watch with its problem's exit code. */
  private int dispatch(String event, String data) {
    JsonObject json = new JsonObject(data);
    if ("error".equals(event)) {
      throw new CliFailure(ExitCode.forStatus(json.getInteger("status", 503)), json.getString("title", "error") + ": "
          + json.getString("detail", ""));
    }
    if (!"change".equals(event)) {
      return 0;
    }
    if (root.json()) {
      root.out().println(json.encode());
    } else {
      ConfigValue change = ConfigValue.fromJson(json);
      root.out().println("revision " + change.revision() + "  " + change.key() + "  v" + change.version() + "  "
          + (change.deleted() ? "deleted" : Values.brief(change.value(), 60)) + "  by " + change.updatedBy());
    }
    root.out().flush();
    return 1;
  }

  private long head(Api api) {
    return api.get(Api.path("/v1/changes", Api.query("env", env, "prefix", prefix, "limit", 1, "since", 0)))
        .json().getLong("head");
  }
}
