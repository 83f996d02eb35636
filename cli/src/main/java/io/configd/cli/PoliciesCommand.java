package io.configd.cli;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "policies", description = {"Approval policies: whether writes under a prefix wait for a second "
    + "person's approval.", "Without -e a policy applies to every environment."},
    subcommands = {PoliciesCommand.ListPolicies.class, PoliciesCommand.Set.class, PoliciesCommand.Delete.class})
final class PoliciesCommand {

  @ParentCommand
  Configdctl root;

  @Command(name = "list", description = "Every policy in force that the token may read.")
  static final class ListPolicies implements Callable<Integer> {

    @ParentCommand
    PoliciesCommand policies;

    @Override
    public Integer call() {
      Configdctl root = policies.root;
      JsonObject page = root.api().get("/v1/policies").json();
      return root.print(page, () -> {
        root.out().printf("%-40s %-12s %-10s %-12s %s%n", "PREFIX", "ENV", "APPROVAL", "EXPIRES IN", "UPDATED BY");
        for (Object item : page.getJsonArray("items")) {
          JsonObject policy = (JsonObject) item;
          Object expires = policy.getValue("expiresInSeconds");
          root.out().printf("%-40s %-12s %-10s %-12s %s%n", policy.getString("prefix"), policy.getString("env"),
              policy.getBoolean("requireApproval") ? "required" : "no", expires == null ? "default" : expires + " s",
              policy.getString("updatedBy"));
        }
      });
    }
  }

  @Command(name = "set", description = "Sets the policy of a prefix (a new version).")
  static final class Set implements Callable<Integer> {

    @ParentCommand
    PoliciesCommand policies;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = {"-e", "--env"}, description = "the environment (default: every environment)")
    String env;

    @Option(names = "--require-approval", negatable = true, required = true,
        description = "writes under the prefix wait for approval (--no-require-approval: they do not, whatever a "
            + "shorter prefix's policy says)")
    boolean required;

    @Option(names = "--expires-in", paramLabel = "DURATION", description = "how long a held change waits: seconds or "
        + "ISO-8601, e.g. P2D (default: the node's, 7 days)")
    String expiresIn;

    @Option(names = {"-m", "--comment"})
    String comment;

    @Override
    public Integer call() {
      Configdctl root = policies.root;
      JsonObject body = new JsonObject().put("requireApproval", required);
      if (expiresIn != null) {
        body.put("expiresIn", expiresIn.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(expiresIn)
            : expiresIn);
      }
      if (comment != null) {
        body.put("comment", comment);
      }
      JsonObject stored = root.api().send("PUT", Api.path("/v1/policies/" + prefix, Api.query("env", env)),
          "application/json", body.encode()).json();
      return root.print(stored, () -> root.out().println("writes under " + prefix + " in " + stored.getString("env")
          + (required ? " now wait for approval" : " no longer wait for approval") + ": version "
          + stored.getInteger("version")));
    }
  }

  @Command(name = "delete", description = "Removes the policy of a prefix (a version that removes it).")
  static final class Delete implements Callable<Integer> {

    @ParentCommand
    PoliciesCommand policies;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = {"-e", "--env"}, description = "the environment (default: the policy for every environment)")
    String env;

    @Override
    public Integer call() {
      Configdctl root = policies.root;
      JsonObject removed = root.api().send("DELETE", Api.path("/v1/policies/" + prefix, Api.query("env", env)), null,
          null).json();
      return root.print(removed, () -> root.out().println("removed the policy of " + prefix + " in "
          + removed.getString("env") + ": version " + removed.getInteger("version")));
    }
  }
}
