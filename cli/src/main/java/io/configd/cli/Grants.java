package io.configd.cli;

import io.vertx.core.json.JsonObject;

/** A grant as configdctl writes it: env:prefix:access. */
final class Grants {

  private Grants() {
  }

  static JsonObject parse(String text) {
    String[] parts = text.split(":", -1);
    if (parts.length != 3) {
      throw new CliFailure(ExitCode.USAGE, "a grant is ENV:PREFIX:ACCESS, e.g. production:services.payment:read, not '"
          + text + "'");
    }
    return new JsonObject().put("env", parts[0]).put("prefix", parts[1]).put("access", parts[2]);
  }

  static String format(JsonObject grant) {
    return grant.getString("env") + ":" + grant.getString("prefix") + ":" + grant.getString("access");
  }
}
