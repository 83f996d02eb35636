package io.configd.cli;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "import", description = {"Writes a file's values under a prefix in one atomic transaction "
    + "(POST /v1/import) and prints what it changed: added (+), changed (~), removed (-, with --prune), unchanged.",
    "--dry-run prints the same and writes nothing. Any refused value writes nothing."})
final class ImportCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Parameters(paramLabel = "FILE", description = "a file from export (JSON, YAML or .properties); '-' reads standard input")
  String file;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Option(names = {"-p", "--prefix"}, defaultValue = "", description = "every key of the file must be under it")
  String prefix;

  @Option(names = "--format", paramLabel = "FORMAT", description = "json, yaml or properties (default: the extension)")
  String format;

  @Option(names = "--dry-run", description = "print the difference, write nothing")
  boolean dryRun;

  @Option(names = "--prune", description = "also delete the keys under the prefix that the file does not hold")
  boolean prune;

  @Option(names = {"-m", "--comment"}, description = "the comment of every version it writes (default: import)")
  String comment;

  @Override
  public Integer call() throws IOException {
    boolean stdin = file.equals("-");
    String body = stdin ? new String(root.stdin().readAllBytes(), StandardCharsets.UTF_8)
        : Files.readString(Path.of(file), StandardCharsets.UTF_8);
    String chosen = format != null ? format : stdin ? "json" : formatOf(Path.of(file));
    Api.Answer sent = root.api().send("POST", Api.path("/v1/import", Api.query("env", env, "prefix", prefix,
        "format", chosen, "dryRun", dryRun, "prune", prune, "comment", comment)), contentType(chosen), body);
    if (Held.printed(root, sent)) {
      return ExitCode.HELD;
    }
    JsonObject answer = sent.json();
    return root.print(answer, () -> printChanges(answer));
  }

  private void printChanges(JsonObject answer) {
    for (Object item : answer.getJsonArray("added")) {
      JsonObject added = (JsonObject) item;
      root.out().println("+ " + added.getString("key") + " = " + Values.brief(added.getValue("value"), 80));
    }
    for (Object item : answer.getJsonArray("changed")) {
      JsonObject changed = (JsonObject) item;
      root.out().println("~ " + changed.getString("key") + ": " + Values.brief(changed.getValue("from"), 40) + " → "
          + Values.brief(changed.getValue("to"), 40));
    }
    for (Object item : answer.getJsonArray("removed")) {
      JsonObject removed = (JsonObject) item;
      root.out().println("- " + removed.getString("key") + " (was " + Values.brief(removed.getValue("value"), 60) + ")");
    }
    JsonArray unchanged = answer.getJsonArray("unchanged");
    root.out().println(answer.getJsonArray("added").size() + " added, " + answer.getJsonArray("changed").size()
        + " changed, " + answer.getJsonArray("removed").size() + " removed, " + unchanged.size() + " unchanged; "
        + (dryRun ? "dry run: nothing written"
        : answer.getValue("revision") == null ? "nothing to write" : "written at revision " + Json.encode(answer.getValue("revision"))));
  }

  /** json, yaml or properties from a file's extension; json when there is none. */
  static String formatOf(Path file) {
    String name = file == null ? "" : file.getFileName().toString().toLowerCase();
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return "yaml";
    }
    return name.endsWith(".properties") ? "properties" : "json";
  }

  private static String contentType(String format) {
    return switch (format) {
      case "yaml", "yml" -> "application/yaml";
      case "properties" -> "text/plain; charset=utf-8";
      default -> "application/json";
    };
  }
}
