package io.configd.cli;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "rollback", description = "Writes a new version of a key holding an older version's value.")
final class RollbackCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "VERSION", description = "the version whose value to restore")
  int version;

  @Option(names = {"-m", "--comment"})
  String comment;

  @Override
  public Integer call() {
    JsonObject body = new JsonObject().put("version", version);
    if (comment != null) {
      body.put("comment", comment);
    }
    Api.Answer answer = root.api().send("POST", Api.path("/v1/config/" + key + "/rollback", Api.query("env", env)),
        "application/json", body.encode());
    if (Held.printed(root, answer)) {
      return ExitCode.HELD;
    }
    return root.printWritten(answer, written -> "rolled back " + written.key() + " in " + written.env()
        + " to version " + version + "'s value");
  }
}
