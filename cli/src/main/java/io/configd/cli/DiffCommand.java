package io.configd.cli;

import io.configd.model.ConfigValue;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "diff", description = "Compares two versions of a key, or a prefix in two environments.",
    subcommands = {DiffCommand.Versions.class, DiffCommand.Environments.class})
final class DiffCommand {

  @ParentCommand
  Configdctl root;

  @Command(name = "versions", description = "The line diff of two versions' values (indented JSON).")
  static final class Versions implements Callable<Integer> {

    @ParentCommand
    DiffCommand diff;

    @Option(names = {"-e", "--env"}, required = true)
    String env;

    @Parameters(index = "0", paramLabel = "KEY")
    String key;

    @Parameters(index = "1", paramLabel = "FROM")
    int from;

    @Parameters(index = "2", paramLabel = "TO")
    int to;

    @Override
    public Integer call() {
      Configdctl root = diff.root;
      ConfigValue a = version(root.api(), from);
      ConfigValue b = version(root.api(), to);
      String before = a.deleted() ? "(deleted)" : Values.show(a.value());
      String after = b.deleted() ? "(deleted)" : Values.show(b.value());
      JsonObject answer = new JsonObject().put("key", key).put("env", env).put("from", a.toJson()).put("to", b.toJson())
          .put("same", Objects.equals(a.value(), b.value()) && a.deleted() == b.deleted());
      return root.print(answer, () -> {
        root.out().println("--- " + key + " version " + from + " (" + a.updatedAt() + " by " + a.updatedBy() + ")");
        root.out().println("+++ " + key + " version " + to + " (" + b.updatedAt() + " by " + b.updatedBy() + ")");
        LineDiff.of(before, after).forEach(root.out()::println);
      });
    }

    private ConfigValue version(Api api, int version) {
      return ConfigValue.fromJson(api.get(Api.path("/v1/config/" + key + "/versions/" + version,
          Api.query("env", env))).json());
    }
  }

  @Command(name = "envs", description = "Keys under a prefix only in A, only in B, and different in the two.")
  static final class Environments implements Callable<Integer> {

    @ParentCommand
    DiffCommand diff;

    @Parameters(index = "0", paramLabel = "ENV_A")
    String envA;

    @Parameters(index = "1", paramLabel = "ENV_B")
    String envB;

    @Option(names = {"-p", "--prefix"}, defaultValue = "", description = "only keys under it (default: every key)")
    String prefix;

    @Override
    public Integer call() {
      Configdctl root = diff.root;
      Map<String, Object> a = Listing.current(root.api(), envA, prefix);
      Map<String, Object> b = Listing.current(root.api(), envB, prefix);
      JsonArray onlyA = new JsonArray();
      JsonArray onlyB = new JsonArray();
      JsonArray different = new JsonArray();
      int same = 0;
      TreeSet<String> keys = new TreeSet<>(a.keySet());
      keys.addAll(b.keySet());
      for (String key : keys) {
        if (!b.containsKey(key)) {
          onlyA.add(new JsonObject().put("key", key).put("value", a.get(key)));
        } else if (!a.containsKey(key)) {
          onlyB.add(new JsonObject().put("key", key).put("value", b.get(key)));
        } else if (!Objects.equals(a.get(key), b.get(key))) {
          different.add(new JsonObject().put("key", key).put(envA, a.get(key)).put(envB, b.get(key)));
        } else {
          same++;
        }
      }
      JsonObject difference = new JsonObject().put("a", envA).put("b", envB).put("prefix", prefix)
          .put("onlyInA", onlyA).put("onlyInB", onlyB).put("different", different).put("same", same);
      return root.print(difference, () -> printDifference(root, difference));
    }

    private void printDifference(Configdctl root, JsonObject difference) {
      JsonArray onlyA = difference.getJsonArray("onlyInA");
      JsonArray onlyB = difference.getJsonArray("onlyInB");
      JsonArray different = difference.getJsonArray("different");
      int same = difference.getInteger("same");
      onlyA.forEach(item -> root.out().println("< " + ((JsonObject) item).getString("key") + " (only in " + envA + "): "
          + Values.brief(((JsonObject) item).getValue("value"), 60)));
      onlyB.forEach(item -> root.out().println("> " + ((JsonObject) item).getString("key") + " (only in " + envB + "): "
          + Values.brief(((JsonObject) item).getValue("value"), 60)));
      different.forEach(item -> {
        JsonObject row = (JsonObject) item;
        root.out().println("≠ " + row.getString("key") + ": " + envA + " " + Json.encode(row.getValue(envA)) + ", "
            + envB + " " + Json.encode(row.getValue(envB)));
      });
      root.out().println(onlyA.size() + " only in " + envA + ", " + onlyB.size() + " only in " + envB + ", "
          + different.size() + " different, " + same + " the same");
    }
  }
}
