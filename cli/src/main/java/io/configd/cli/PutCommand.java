package io.configd.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "put", description = {"Writes a new version of a key.",
    "The value comes from the argument, --file, or standard input ('-'); it is read as JSON when it is JSON "
        + "(20, true, {\"a\": 1}) and as a string otherwise (--string: always a string)."})
final class PutCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true, description = "the environment")
  String env;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", arity = "0..1", paramLabel = "VALUE", description = "the value; '-' reads standard input")
  String value;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "read the value from this file")
  Path file;

  @Option(names = "--string", description = "take the text as a string even when it is JSON")
  boolean string;

  @Option(names = {"-m", "--comment"}, description = "why (kept in the history and the audit log)")
  String comment;

  @Option(names = "--critical", negatable = true, description = "mark the key critical (or not: --no-critical)")
  Boolean critical;

  @Option(names = "--secret", description = "mark the key secret: its value is stored encrypted and shown in clear only "
      + "to tokens with secret access (a key stays secret)")
  boolean secret;

  @ArgGroup(exclusive = true)
  Condition condition;

  static final class Condition {
    @Option(names = "--if-version", paramLabel = "N", description = "only if the current version is N (else exit 3)")
    Integer version;

    @Option(names = "--create", description = "only if the key does not exist yet (else exit 3)")
    boolean create;
  }

  @Override
  public Integer call() throws IOException {
    String text = text();
    JsonObject body = new JsonObject().put("value", string ? text : Values.parse(text));
    if (comment != null) {
      body.put("comment", comment);
    }
    if (critical != null) {
      body.put("critical", critical);
    }
    if (secret) {
      body.put("secret", true);
    }
    List<String> headers = new ArrayList<>();
    if (condition != null && condition.version != null) {
      headers.addAll(List.of("If-Match", "\"" + condition.version + "\""));
    } else if (condition != null && condition.create) {
      headers.addAll(List.of("If-None-Match", "*"));
    }
    Api.Answer answer = root.api().send("PUT", Api.path("/v1/config/" + key, Api.query("env", env)),
        "application/json", body.encode(), headers.toArray(String[]::new));
    if (Held.printed(root, answer)) {
      return ExitCode.HELD;
    }
    return root.printWritten(answer, written -> (answer.status() == 201 ? "created " : "updated ") + written.key()
        + " in " + written.env());
  }

  private String text() throws IOException {
    if (file != null && value != null) {
      throw new CliFailure(ExitCode.USAGE, "give the value as an argument or with --file, not both");
    }
    if (file != null) {
      return Files.readString(file, StandardCharsets.UTF_8);
    }
    if (value == null) {
      throw new CliFailure(ExitCode.USAGE, "no value: give it as an argument, with --file, or '-' for standard input");
    }
    return value.equals("-") ? new String(root.stdin().readAllBytes(), StandardCharsets.UTF_8) : value;
  }
}
