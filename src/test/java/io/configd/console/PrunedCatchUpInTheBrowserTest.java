package io.configd.console;

import io.configd.TestNodeExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web console in a real browser against a node whose retention keeps only the newest 10 revisions, so that a page
 * cut off for a while cannot catch up (410 revision-compacted) and must load a fresh snapshot (console/src/live.js).
 */
@DisplayName("The web console, when the changes it missed were pruned")
class PrunedCatchUpInTheBrowserTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("PrunedCatchUpInTheBrowserTest", config -> config.put(
      "retention", new JsonObject().put("changesMaxAgeMs", 0).put("changesMaxCount", 10).put("auditMaxAgeMs", 0)
          .put("auditMaxCount", 10).put("intervalMs", 200).put("batchSize", 100)));

  @BeforeAll
  static void browserPresent() {
    ConsoleInTheBrowserTest.requireBrowser();
  }

  @Test
  @DisplayName("a page cut off while more changes than are kept were written loads a fresh snapshot: new values shown, "
      + "the key deleted meanwhile gone, live again")
  void prunedCatchUp() {
    ConsoleInTheBrowserTest.scenario(NODE.node(), "prunedCatchUp");
  }
}
