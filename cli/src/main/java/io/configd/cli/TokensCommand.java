package io.configd.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "tokens", description = "Lists, creates and revokes tokens (needs admin on every key).",
    subcommands = {TokensCommand.ListTokens.class, TokensCommand.Create.class, TokensCommand.Revoke.class})
final class TokensCommand {

  @ParentCommand
  Configdctl root;

  @Command(name = "list", description = "Every token (never a secret).")
  static final class ListTokens implements Callable<Integer> {

    @ParentCommand
    TokensCommand tokens;

    @Override
    public Integer call() {
      Configdctl root = tokens.root;
      JsonArray all = Listing.all(root.api(), "/v1/tokens", Api.query());
      return root.print(new JsonObject().put("items", all), () -> {
        root.out().printf("%-36s %-24s %-8s %-24s %s%n", "ID", "NAME", "STATE", "EXPIRES", "GRANTS");
        for (Object item : all) {
          JsonObject token = (JsonObject) item;
          StringBuilder grants = new StringBuilder();
          token.getJsonArray("grants").forEach(grant -> grants.append(grants.length() > 0 ? " " : "")
              .append(Grants.format((JsonObject) grant)));
          root.out().printf("%-36s %-24s %-8s %-24s %s%n", token.getString("id"), token.getString("name"),
              token.getString("revokedAt") != null ? "revoked" : "active",
              token.getString("expiresAt") == null ? "never" : token.getString("expiresAt"), grants);
        }
      });
    }
  }

  @Command(name = "create", description = "Creates a token and prints its secret, shown this once.")
  static final class Create implements Callable<Integer> {

    @ParentCommand
    TokensCommand tokens;

    @Parameters(paramLabel = "NAME", description = "the author of the token's changes, e.g. deploy-pipeline")
    String name;

    @Option(names = {"-g", "--grant"}, required = true, paramLabel = "ENV:PREFIX:ACCESS",
        description = "e.g. production:services.payment:read (env * for all, an empty prefix for every key; "
            + "access read, write, approve or admin); repeatable")
    List<String> grants;

    @Option(names = "--expires-in", paramLabel = "DURATION", description = "seconds or ISO-8601, e.g. P30D")
    String expiresIn;

    @Override
    public Integer call() {
      Configdctl root = tokens.root;
      JsonArray list = new JsonArray();
      grants.forEach(grant -> list.add(Grants.parse(grant)));
      JsonObject body = new JsonObject().put("name", name).put("grants", list);
      if (expiresIn != null) {
        body.put("expiresIn", expiresIn.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(expiresIn)
            : expiresIn);
      }
      JsonObject created = root.api().send("POST", "/v1/tokens", "application/json", body.encode()).json();
      return root.print(created, () -> {
        root.out().println(created.getString("token"));
        root.err().println("created token " + created.getString("id") + " for " + name + ": the secret above is "
            + "shown this once");
      });
    }
  }

  @Command(name = "revoke", description = "Revokes a token at once.")
  static final class Revoke implements Callable<Integer> {

    @ParentCommand
    TokensCommand tokens;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
      Configdctl root = tokens.root;
      JsonObject revoked = root.api().send("DELETE", "/v1/tokens/" + id, null, null).json();
      return root.print(revoked, () -> root.out().println("revoked " + revoked.getString("name") + " (" + id + ")"));
    }
  }
}
