package io.configd.cli;

import io.vertx.core.json.DecodeException;
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

@Command(name = "schemas", description = {"The JSON Schemas (draft 2020-12) values under a prefix must satisfy.",
    "Without -e a schema applies to every environment."},
    subcommands = {SchemasCommand.ListSchemas.class, SchemasCommand.Get.class, SchemasCommand.Set.class,
        SchemasCommand.Delete.class, SchemasCommand.History.class})
final class SchemasCommand {

  @ParentCommand
  Configdctl root;

  @Command(name = "list", description = "Every schema in force that the token may read.")
  static final class ListSchemas implements Callable<Integer> {

    @ParentCommand
    SchemasCommand schemas;

    @Override
    public Integer call() {
      Configdctl root = schemas.root;
      JsonObject page = root.api().get("/v1/schemas").json();
      return root.print(page, () -> {
        root.out().printf("%-40s %-12s %-8s %-24s %s%n", "PREFIX", "ENV", "VERSION", "UPDATED BY", "UPDATED AT");
        for (Object item : page.getJsonArray("items")) {
          JsonObject schema = (JsonObject) item;
          root.out().printf("%-40s %-12s %-8d %-24s %s%n", schema.getString("prefix"), schema.getString("env"),
              schema.getInteger("version"), schema.getString("updatedBy"), schema.getString("updatedAt"));
        }
      });
    }
  }

  @Command(name = "get", description = "Prints the schema of a prefix.")
  static final class Get implements Callable<Integer> {

    @ParentCommand
    SchemasCommand schemas;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = {"-e", "--env"}, description = "the environment (default: the schema for every environment)")
    String env;

    @Override
    public Integer call() {
      Configdctl root = schemas.root;
      JsonObject schema = root.api().get(Api.path("/v1/schemas/" + prefix, Api.query("env", env))).json();
      return root.print(schema, () -> root.out().println(schema.getJsonObject("schema").encodePrettily()));
    }
  }

  @Command(name = "set", description = {"Sets the schema of a prefix (a new version) from an argument, --file or "
      + "standard input ('-'), and lists the current values that break it.",
      "--enforce-existing refuses it (exit 1) when current values break it."})
  static final class Set implements Callable<Integer> {

    @ParentCommand
    SchemasCommand schemas;

    @Parameters(index = "0", paramLabel = "PREFIX")
    String prefix;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SCHEMA", description = "the schema as JSON; '-' reads "
        + "standard input")
    String schema;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "read the schema from this file")
    Path file;

    @Option(names = {"-e", "--env"}, description = "the environment (default: every environment)")
    String env;

    @Option(names = "--enforce-existing", description = "refuse the schema if current values break it")
    boolean enforce;

    @Option(names = {"-m", "--comment"}, description = "why (kept in the schema's history)")
    String comment;

    @Override
    public Integer call() throws IOException {
      Configdctl root = schemas.root;
      JsonObject document;
      try {
        document = new JsonObject(text(root));
      } catch (DecodeException | ClassCastException e) {
        throw new CliFailure(ExitCode.USAGE, "the schema must be a JSON object: " + e.getMessage());
      }
      JsonObject body = new JsonObject().put("schema", document);
      if (comment != null) {
        body.put("comment", comment);
      }
      Api.Answer answer = root.api().send("PUT", Api.path("/v1/schemas/" + prefix, Api.query("env", env,
          "enforce", enforce ? "existing" : null)), "application/json", body.encode());
      JsonObject stored = answer.json();
      return root.print(stored, () -> {
        root.out().println((answer.status() == 201 ? "created" : "updated") + " the schema of " + prefix + " in "
            + stored.getString("env") + ": version " + stored.getInteger("version"));
        int failing = stored.getInteger("failingCount", 0);
        if (failing > 0) {
          root.out().println(failing + " current value(s) break it (new writes of them will be refused):");
          for (Object item : stored.getJsonArray("failing")) {
            JsonObject value = (JsonObject) item;
            root.out().println("  " + value.getString("env") + " " + value.getString("key") + " v"
                + value.getInteger("version") + ": " + failures(value.getJsonArray("errors")));
          }
        }
      });
    }

    private String text(Configdctl root) throws IOException {
      if (file != null && schema != null) {
        throw new CliFailure(ExitCode.USAGE, "give the schema as an argument or with --file, not both");
      }
      if (file != null) {
        return Files.readString(file, StandardCharsets.UTF_8);
      }
      if (schema == null) {
        throw new CliFailure(ExitCode.USAGE, "no schema: give it as an argument, with --file, or '-' for standard input");
      }
      return schema.equals("-") ? new String(root.stdin().readAllBytes(), StandardCharsets.UTF_8) : schema;
    }
  }

  @Command(name = "delete", description = "Removes the schema of a prefix (a version that removes it).")
  static final class Delete implements Callable<Integer> {

    @ParentCommand
    SchemasCommand schemas;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = {"-e", "--env"}, description = "the environment (default: the schema for every environment)")
    String env;

    @Option(names = {"-m", "--comment"})
    String comment;

    @Override
    public Integer call() {
      Configdctl root = schemas.root;
      JsonObject removed = root.api().send("DELETE", Api.path("/v1/schemas/" + prefix, Api.query("env", env,
          "comment", comment)), null, null).json();
      return root.print(removed, () -> root.out().println("removed the schema of " + prefix + " in "
          + removed.getString("env") + ": version " + removed.getInteger("version")));
    }
  }

  @Command(name = "history", description = "The schema's versions, newest first.")
  static final class History implements Callable<Integer> {

    @ParentCommand
    SchemasCommand schemas;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = {"-e", "--env"}, description = "the environment (default: the schema for every environment)")
    String env;

    @Override
    public Integer call() {
      Configdctl root = schemas.root;
      JsonArray all = Listing.all(root.api(), "/v1/schemas/" + prefix + "/versions", Api.query("env", env));
      return root.print(new JsonObject().put("items", all), () -> {
        for (Object item : all) {
          JsonObject version = (JsonObject) item;
          root.out().println("v" + version.getInteger("version") + "  " + version.getString("updatedAt") + "  "
              + version.getString("updatedBy") + (version.getBoolean("deleted") ? "  (removed)" : "")
              + (version.getString("comment") == null ? "" : "  " + version.getString("comment")));
        }
      });
    }
  }

  /** A value's failures as one line: "/pool_size type: …; …". */
  static String failures(JsonArray errors) {
    StringBuilder line = new StringBuilder();
    for (Object item : errors) {
      JsonObject error = (JsonObject) item;
      line.append(line.length() > 0 ? "; " : "").append(error.getString("location").isEmpty() ? "(value)"
          : error.getString("location")).append(" ").append(error.getString("keyword")).append(": ")
          .append(error.getString("message"));
    }
    return line.toString();
  }
}
