package io.configd.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "pending", description = {"Changes held for approval: list and show them, approve (commits it) or "
    + "reject them.", "Approving needs approve access on the change's keys and another name than its author's."},
    subcommands = {PendingCommand.ListPending.class, PendingCommand.Show.class, PendingCommand.Approve.class,
        PendingCommand.Reject.class})
final class PendingCommand {

  @ParentCommand
  Configdctl root;

  @Command(name = "list", description = "The pending changes the token may read.")
  static final class ListPending implements Callable<Integer> {

    @ParentCommand
    PendingCommand pending;

    @Option(names = {"-e", "--env"}, description = "one environment (default: all)")
    String env;

    @Option(names = "--status", defaultValue = "pending",
        description = "pending (default), approved, rejected, expired or all")
    String status;

    @Override
    public Integer call() {
      Configdctl root = pending.root;
      JsonArray all = Listing.all(root.api(), "/v1/pending", Api.query("env", env, "status", status));
      return root.print(new JsonObject().put("items", all), () -> {
        root.out().printf("%-36s %-12s %-9s %-20s %-24s %s%n", "ID", "ENV", "STATUS", "AUTHOR", "EXPIRES", "KEYS");
        for (Object item : all) {
          JsonObject change = (JsonObject) item;
          StringBuilder keys = new StringBuilder();
          change.getJsonArray("ops").forEach(op -> keys.append(keys.length() > 0 ? " " : "")
              .append(((JsonObject) op).getString("key")));
          root.out().printf("%-36s %-12s %-9s %-20s %-24s %s%n", change.getString("id"), change.getString("env"),
              change.getString("status"), change.getString("author"), change.getString("expiresAt"), keys);
        }
      });
    }
  }

  @Command(name = "show", description = "One pending change and its diff: each key before and after.")
  static final class Show implements Callable<Integer> {

    @ParentCommand
    PendingCommand pending;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      Configdctl root = pending.root;
      JsonObject change = root.api().get("/v1/pending/" + id).json();
      return root.print(change, () -> describe(root, change));
    }
  }

  @Command(name = "approve", description = "Approves a pending change: it commits as its author's change.")
  static final class Approve implements Callable<Integer> {

    @ParentCommand
    PendingCommand pending;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      Configdctl root = pending.root;
      JsonObject approved = root.api().send("POST", "/v1/pending/" + id + "/approve", null, null).json();
      return root.print(approved, () -> {
        root.out().println("approved " + id + " (by " + approved.getString("author") + "): committed at revision "
            + approved.getValue("revision"));
      });
    }
  }

  @Command(name = "reject", description = "Rejects a pending change (or withdraws your own): it never writes.")
  static final class Reject implements Callable<Integer> {

    @ParentCommand
    PendingCommand pending;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = {"-r", "--reason"}, required = true, description = "why, for its author")
    String reason;

    @Override
    public Integer call() {
      Configdctl root = pending.root;
      JsonObject rejected = root.api().send("POST", "/v1/pending/" + id + "/reject", "application/json",
          new JsonObject().put("reason", reason).encode()).json();
      return root.print(rejected, () -> root.out().println("rejected " + id + ": " + reason));
    }
  }

  private static void describe(Configdctl root, JsonObject change) {
    root.out().println(change.getString("id") + "  " + change.getString("status") + "  in " + change.getString("env")
        + "  by " + change.getString("author") + "  expires " + change.getString("expiresAt")
        + (change.getBoolean("transaction") ? "  (one transaction)" : ""));
    if (change.getString("comment") != null) {
      root.out().println("  " + change.getString("comment"));
    }
    for (Object item : change.getJsonArray("ops")) {
      JsonObject op = (JsonObject) item;
      JsonObject before = op.getJsonObject("before");
      String was = before.getBoolean("deleted") ? "(absent)" : Values.brief(before.getValue("value"), 60)
          + " (v" + before.getInteger("version") + ")";
      String now = switch (op.getString("op")) {
        case "delete" -> "(deleted)";
        case "check" -> "(checked)";
        default -> Values.brief(op.getValue("value"), 60);
      };
      root.out().println("  " + op.getString("op") + " " + op.getString("key") + ": " + was + " → " + now);
    }
    if (change.getString("decidedBy") != null) {
      root.out().println("  " + change.getString("status") + " by " + change.getString("decidedBy")
          + (change.getString("reason") == null ? "" : ": " + change.getString("reason")));
    }
  }
}
