package io.configd.cli;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "history", description = "Lists a key's versions, newest first, deletions included.")
final class HistoryCommand implements Callable<Integer> {

  @ParentCommand
  Configdctl root;

  @Option(names = {"-e", "--env"}, required = true)
  String env;

  @Parameters(paramLabel = "KEY")
  String key;

  @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "at most this many versions (default 20)")
  int limit;

  @Override
  public Integer call() {
    JsonArray versions = Listing.all(root.api(), "/v1/config/" + key + "/versions", Api.query("env", env), limit);
    return root.print(new JsonObject().put("key", key).put("env", env).put("items", versions), () -> {
      root.out().printf("%-8s %-24s %-20s %-40s %s%n", "VERSION", "UPDATED", "BY", "VALUE", "COMMENT");
      for (Object item : versions) {
        ConfigValue version = ConfigValue.fromJson((JsonObject) item);
        root.out().printf("%-8d %-24s %-20s %-40s %s%n", version.version(), version.updatedAt(), version.updatedBy(),
            version.deleted() ? "(deleted)" : Values.brief(version.value(), 40),
            version.comment() == null ? "" : version.comment());
      }
    });
  }
}
