package io.configd.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The web console end to end: Debian's Chromium, driven by playwright-core (console/test/*.mjs), against a
 * real node with its real PostgreSQL, Redis and Kafka. Each test runs one scenario and fails with the
 * scenario's output; screenshots of the main screens go to target/console-screenshots.
 */
@DisplayName("The web console, in a real browser")
class ConsoleInTheBrowserTest {

  private static final File PROJECT = new File(".").getAbsoluteFile();
  private static final File CHROMIUM = new File(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
  private static final String ARTIFACTS = "target/console-screenshots";
  /** An environment of its own for the 50,000 keys, so the other scenarios' pages load only their few. */
  private static final String BULK_ENV = "load";
  private static final int BULK_KEYS = 50_000;
  /** Puts per seeding transaction (POST /v1/txn takes up to 1,000; 1,000 at a time met its deadline under load). */
  private static final int SEED_BATCH = 250;

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConsoleInTheBrowserTest", config -> {
    config.getJsonObject("node").getJsonArray("environments").add(BULK_ENV);
    // seeding 50,000 keys through the API is one principal writing as fast as it can
    config.getJsonObject("auth").put("limits", new JsonObject().put("writesPerSecond", 1_000_000).put("writeBurst", 1_000_000)
        .put("addressWritesPerSecond", 1_000_000).put("addressWriteBurst", 1_000_000));
  });

  /** One Node.js and Chromium for all the scenarios of the class (each in contexts of its own). */
  private static BrowserScenarios browser;

  @BeforeAll
  static void browserPresent() {
    requireBrowser();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @DisplayName("signs in with a token kept in the tab's session storage only, refuses a wrong one, and forgets it on sign-out")
  void signIn() {
    scenario("signIn");
  }

  @Test
  @DisplayName("creates a key after confirmation, checks and pretty-prints JSON, shows the diff, and saves with If-Match")
  void createEditSave() {
    scenario("createEditSave");
  }

  @Test
  @DisplayName("a change through the API during an edit produces the conflict view (theirs, yours, merge), not an overwrite")
  void conflict() {
    scenario("conflict");
  }

  @Test
  @DisplayName("shows every version with author, time and comment, diffs any two, and rolls back after showing the diff")
  void historyAndRollback() {
    scenario("historyAndRollback");
  }

  @Test
  @DisplayName("a change made through the API appears on an open page without reload, moves nothing, and is caught up after a network cut")
  void liveUpdates() {
    scenario("liveUpdates");
  }

  @Test
  @DisplayName("a transaction's changes reach an open page in one update of the view: while a stalled link holds part "
      + "of its frames, no frame shows some of its keys new and others old")
  void liveTransaction() {
    scenario("liveTransaction");
  }

  @Test
  @DisplayName("compares a prefix in two environments (only here, only there, different) and copies selected values "
      + "in one atomic step")
  void compare() {
    scenario("compare");
  }

  @Test
  @DisplayName("a read-only token sees no edit controls, and a write with the page's own token is refused")
  void readOnly() {
    scenario("readOnly");
  }

  @Test
  @DisplayName("a value holding <img src=x onerror=alert(1)> is shown as text and runs nothing")
  void valuesAreText() {
    scenario("valuesAreText");
  }

  @Test
  @DisplayName("creates a token with grants, shows its secret once with a copy button, and revokes it")
  void tokens() {
    scenario("tokens");
  }

  @Test
  @DisplayName("exports a prefix as YAML, previews its import into another environment (writing nothing), then imports it")
  void importExport() {
    scenario("importExport");
  }

  @Test
  @DisplayName("under an approval policy a save is held; another person approves it from Pending changes (the author "
      + "cannot), a change needing two approvers shows who approved so far, and a rejection needs a reason and writes "
      + "nothing")
  void pendingChanges() {
    scenario("pendingChanges");
  }

  @Test
  @DisplayName("lists the rollouts with their step or targeting, the instances on each version and why one stopped; "
      + "pauses, resumes, aborts and promotes them, and offers a read-only token none of that")
  void rollouts() {
    scenario("rollouts");
  }

  @Test
  @DisplayName("retargets a live gray release in place (selector and percentage), and a bad selector changes nothing")
  void rolloutRetarget() {
    scenario("rolloutRetarget");
  }

  @Test
  @DisplayName("lists the newest rollouts first and pages on to older ones past the first 100 with More")
  void rolloutsPaged() {
    scenario("rolloutsPaged");
  }

  @Test
  @DisplayName("filters the audit log and links to the versions; node status refreshes live")
  void auditAndStatus() {
    scenario("auditAndStatus");
  }

  @Test
  @DisplayName("works from the keyboard alone in a narrow window, every control with an accessible name")
  void keyboardNarrow() {
    scenario("keyboardNarrow");
  }

  @Test
  @DisplayName("loads, counts, filters and scrolls 50,000 keys with only the visible rows in the page")
  void fiftyThousandKeys() throws Exception {
    long started = System.nanoTime();
    seed(BULK_KEYS);
    System.out.printf("seeded %,d keys through the API in %.1f s%n", BULK_KEYS, (System.nanoTime() - started) / 1e9);
    scenario("fiftyThousandKeys");
  }

  /**
   * bulk.gNN.kNNNNN: 50 prefixes of 1,000 keys, written through the API as transactions of 250 puts, four in flight:
   * the page sees the same 50,000 keys as from single PUTs, seeded sooner. A transaction answered 503 (the store too
   * slow for its deadline on a loaded machine: "retry shortly") is sent again, at most three times.
   */
  private static void seed(int keys) throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> writers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      writers.add(seedNext(keys, next));
    }
    Future.all(writers).await(10, TimeUnit.MINUTES);
  }

  private static Future<Void> seedNext(int keys, AtomicInteger next) {
    int first = next.getAndAdd(SEED_BATCH);
    if (first >= keys) {
      return Future.succeededFuture();
    }
    JsonArray ops = new JsonArray();
    for (int index = first; index < Math.min(keys, first + SEED_BATCH); index++) {
      ops.add(new JsonObject().put("op", "put").put("key", String.format("bulk.g%02d.k%05d", index % 50, index))
          .put("value", new JsonObject().put("index", index).put("pad", "x".repeat(40))));
    }
    return seedBatch(first, new JsonObject().put("ops", ops), 1).compose(done -> seedNext(keys, next));
  }

  private static Future<Void> seedBatch(int first, JsonObject txn, int attempt) {
    return NODE.node().request(HttpMethod.POST, "/v1/txn?env=" + BULK_ENV, txn).compose(answer -> {
      if (answer.statusCode() == 200) {
        return Future.<Void>succeededFuture();
      }
      if (answer.statusCode() == 503 && attempt < 3) {
        return seedBatch(first, txn, attempt + 1);
      }
      return Future.failedFuture("seeding keys from " + first + " answered " + answer.statusCode() + ": " + answer.bodyAsString());
    });
  }

  @Test
  @DisplayName("its page-free logic (diffs, the conflict merge, grants, the key store) passes its unit tests")
  void logic() {
    node("unit tests", List.of("--test", "console/test/unit/"));
  }

  /** Runs one scenario in the class's browser (started with the first scenario, again if it went away). */
  private static void scenario(String name) {
    if (browser == null || !browser.isAlive()) {
      browser = BrowserScenarios.start(PROJECT, NODE.node(), ARTIFACTS, CHROMIUM,
          Map.of("CONSOLE_BULK_ENV", BULK_ENV, "CONSOLE_BULK_KEYS", String.valueOf(BULK_KEYS)));
    }
    browser.play(name);
  }

  /** Runs console/test/run.mjs for one scenario against that node. */
  static void scenario(TestNode node, String name, String... environment) {
    node(node, "scenario " + name, List.of("console/test/run.mjs", name), environment);
  }

  private static void node(String name, List<String> arguments, String... environment) {
    node(NODE.node(), name, arguments, environment);
  }

  /** The browser and console/node_modules are there, else a message that says how to get them. */
  static void requireBrowser() {
    if (!CHROMIUM.canExecute()) {
      throw new IllegalStateException(CHROMIUM + " is missing: run bin/test, which installs Debian's chromium "
          + "(apt-get install chromium), or set CHROMIUM to a Chromium binary");
    }
    if (!new File(PROJECT, "console/node_modules/playwright-core").isDirectory()) {
      throw new IllegalStateException("console/node_modules is missing: the Maven build installs it (console/build.mjs runs npm ci)");
    }
  }

  /** Runs node with these arguments; its output is printed, and is the failure message when it fails. */
  private static void node(TestNode node, String name, List<String> arguments, String... environment) {
    List<String> command = new ArrayList<>(List.of("node"));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT).redirectErrorStream(true);
    builder.environment().put("CONSOLE_URL", "http://127.0.0.1:" + node.port());
    builder.environment().put("CONSOLE_ADMIN_TOKEN", node.adminToken());
    builder.environment().put("CONSOLE_ARTIFACTS", ARTIFACTS);
    builder.environment().put("CHROMIUM", CHROMIUM.getPath());
    for (int i = 0; i + 1 < environment.length; i += 2) {
      builder.environment().put(environment[i], environment[i + 1]);
    }
    String output;
    int exit;
    try {
      Process process = builder.start();
      CompletableFuture<String> printed = CompletableFuture.supplyAsync(() -> {
        try {
          return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          return "(output unreadable: " + e + ")";
        }
      });
      // the scenario script has its own deadline for every wait; this one only guards against a hung browser
      if (!process.waitFor(6, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not end within 6 minutes: " + printed.getNow("(no output)"));
      }
      output = printed.get(1, TimeUnit.MINUTES);
      exit = process.exitValue();
    } catch (IOException | ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not run " + command + " (is Node.js installed? bin/test installs it)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    System.out.print(output);
    assertThat(exit).as("%s:%n%s", name, output).isZero();
  }
}
