package io.configd.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "Deletes a key (a tombstone version: the history stays).")
final class DeleteCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Parameters(paramLabel = "KEY")
  String key;

  @Option(names = "--if-version", paramLabel = "N", description = "only if the current version is N (else exit 3)")
  Integer version;

  @Option(names = {"-m", "--comment"})
  String comment;

  @Override
  public Integer call() {
    String[] headers = version == null ? new String[0] : new String[] {"If-Match", "\"" + version + "\""};
    Api.Answer answer = root.api().send("DELETE", Api.path("/v1/config/" + key, Api.query("env", env, "comment",
        comment)), null, null, headers);
    if (Held.printed(root, answer)) {
      return ExitCode.HELD;
    }
    return root.printWritten(answer, deleted -> "deleted " + deleted.key() + " in " + deleted.env());
  }
}
