package io.configd.cli;

import io.configd.model.ConfigValue;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "get", description = "Prints a key's current value (a string as it is, other values as JSON).")
final class GetCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true, description = "the environment")
  String env;

  @Parameters(paramLabel = "KEY", description = "e.g. services.payment.database_url")
  String key;

  @Override
  public Integer call() {
    Api.Answer answer = root.api().get(Api.path("/v1/config/" + key, Api.query("env", env)));
    return root.print(answer.json(), () -> root.out().println(Values.show(ConfigValue.fromJson(answer.json()).value())));
  }
}
