package io.configd.cli;

import io.vertx.core.json.JsonObject;

/** A write an approval policy held (202): nothing written yet; said so, with the exit code scripts can tell apart. */
final class Held {

  private Held() {
  }

  /** True when the answer is a held write, which it has then printed. */
  static boolean printed(Configdctl root, Api.Answer answer) {
    if (answer.status() != 202) {
      return false;
    }
    JsonObject pending = answer.json();
    if (root.json()) {
      root.out().println(pending.encode());
    } else {
      root.out().println("held for approval: pending change " + pending.getString("id") + " by "
          + pending.getString("author") + ", nothing written yet (another person approves it: configdctl pending "
          + "approve " + pending.getString("id") + ")");
    }
    return true;
  }
}
