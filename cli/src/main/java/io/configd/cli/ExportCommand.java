package io.configd.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "export", description = "Writes the current values under a prefix as JSON, YAML or .properties "
    + "(GET /v1/export), to standard output or a file.")
final class ExportCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Option(names = {"-p", "--prefix"}, defaultValue = "", description = "only keys under it (default: every key)")
  String prefix;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "json, yaml or properties (default: the file's extension, else json)")
  String format;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "write here instead of standard output")
  Path file;

  @Override
  public Integer call() throws IOException {
    String chosen = format != null ? format : ImportCommand.formatOf(file);
    String body = root.api().get(Api.path("/v1/export", Api.query("env", env, "prefix", prefix, "format", chosen)))
        .body();
    if (file == null) {
      root.out().print(body);
    } else {
      Files.writeString(file, body, StandardCharsets.UTF_8);
      root.err().println("exported " + env + (prefix.isEmpty() ? "" : ":" + prefix) + " to " + file);
    }
    return ExitCode.OK;
  }
}
