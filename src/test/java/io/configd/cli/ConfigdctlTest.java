package io.configd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.TcpProxy;
import io.configd.TestNodeExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every configdctl command against a real node, in this process (ConfigdctlScriptTest runs bin/configdctl itself). */
@DisplayName("configdctl")
class ConfigdctlTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConfigdctlTest");

  @TempDir
  Path dir;

  private Ctl ctl() {
    return new Ctl(NODE.node());
  }

  private long head() {
    return NODE.node().get("/v1/changes?env=staging&prefix=nothing.here&since=0").bodyAsJsonObject().getLong("head");
  }

  @Test
  @DisplayName("put takes the value from an argument, a file or standard input, as JSON when it is JSON; get prints it")
  void putAndGet() throws Exception {
    Ctl ctl = ctl();
    Ctl.Run created = ctl.run("put", "-e", "production", "ctl.put.pool", "20", "-m", "first");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(created.out()).contains("created ctl.put.pool in production: version 1");
    assertThat(ctl.run("put", "-e", "production", "ctl.put.pool", "30").out()).contains("updated", "version 2");
    assertThat(ctl.run("get", "-e", "production", "ctl.put.pool").out()).isEqualTo("30\n");

    assertThat(ctl.run("put", "-e", "production", "ctl.put.url", "jdbc:postgresql://db/pay").exitCode()).isZero();
    assertThat(ctl.run("get", "-e", "production", "ctl.put.url").out()).isEqualTo("jdbc:postgresql://db/pay\n");
    assertThat(ctl.run("put", "-e", "production", "ctl.put.text", "20", "--string").exitCode()).isZero();
    assertThat(NODE.node().get("/v1/config/ctl.put.text?env=production").bodyAsJsonObject().getValue("value"))
        .isEqualTo("20");

    Path file = dir.resolve("db.json");
    Files.writeString(file, "{\"host\": \"db\", \"port\": 5432}");
    assertThat(ctl.run("put", "-e", "production", "ctl.put.db", "--file", file.toString()).exitCode()).isZero();
    assertThat(ctl.runWithInput("{\"from\": \"stdin\"}", "put", "-e", "production", "ctl.put.stdin", "-").exitCode())
        .isZero();
    assertThat(NODE.node().get("/v1/config/ctl.put.db?env=production").bodyAsJsonObject().getJsonObject("value"))
        .isEqualTo(new JsonObject().put("host", "db").put("port", 5432));
    assertThat(NODE.node().get("/v1/config/ctl.put.stdin?env=production").bodyAsJsonObject().getJsonObject("value"))
        .isEqualTo(new JsonObject().put("from", "stdin"));

    Ctl.Run json = ctl.run("get", "-e", "production", "ctl.put.db", "-o", "json");
    JsonObject entry = new JsonObject(json.out());
    assertThat(entry.getInteger("version")).isEqualTo(1);
    assertThat(entry.getString("updatedBy")).isEqualTo("bootstrap-admin");
    assertThat(ctl.run("get", "-e", "production", "ctl.put.db").out()).contains("\"port\" : 5432");
  }

  @Test
  @DisplayName("exit codes: 1 usage or a malformed request, 2 not found, 3 conflict or precondition, 4 auth, 5 unavailable")
  void exitCodes() {
    Ctl ctl = ctl();
    assertThat(ctl.run("get", "-e", "production").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(ctl.run("frobnicate").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(ctl.run("get", "-e", "production", "bad..key").exitCode()).isEqualTo(ExitCode.USAGE);
    Ctl.Run missing = ctl.run("get", "-e", "production", "ctl.codes.none");
    assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(missing.err()).contains("Not found (404)", "ctl.codes.none");

    assertThat(ctl.run("put", "-e", "production", "ctl.codes.k", "1", "--create").exitCode()).isZero();
    assertThat(ctl.run("put", "-e", "production", "ctl.codes.k", "2", "--create").exitCode()).isEqualTo(ExitCode.CONFLICT);
    assertThat(ctl.run("put", "-e", "production", "ctl.codes.k", "2", "--if-version", "7").exitCode())
        .isEqualTo(ExitCode.CONFLICT);
    assertThat(ctl.run("put", "-e", "production", "ctl.codes.k", "2", "--if-version", "1").exitCode()).isZero();
    assertThat(ctl.run("delete", "-e", "production", "ctl.codes.k", "--if-version", "1").exitCode())
        .isEqualTo(ExitCode.CONFLICT);

    Ctl anonymous = new Ctl("http://127.0.0.1:" + NODE.node().port(), null);
    Ctl.Run unauthorized = anonymous.run("get", "-e", "production", "ctl.codes.k");
    assertThat(unauthorized.exitCode()).isEqualTo(ExitCode.AUTH);
    assertThat(unauthorized.err()).contains("CONFIGD_TOKEN");
    Ctl reader = new Ctl("http://127.0.0.1:" + NODE.node().port(),
        NODE.node().createToken("ctl-reader", "production", "ctl.codes", "read"));
    assertThat(reader.run("get", "-e", "production", "ctl.codes.k").exitCode()).isZero();
    assertThat(reader.run("put", "-e", "production", "ctl.codes.k", "3").exitCode()).isEqualTo(ExitCode.AUTH);

    Ctl nowhere = new Ctl("http://127.0.0.1:1", NODE.node().adminToken());
    Ctl.Run unreachable = nowhere.run("get", "-e", "production", "ctl.codes.k");
    assertThat(unreachable.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(unreachable.err()).contains("cannot reach configd at http://127.0.0.1:1");
  }

  @Test
  @DisplayName("history lists the versions newest first; diff compares two versions; rollback restores one; delete")
  void historyDiffRollbackDelete() {
    Ctl ctl = ctl();
    ctl.run("put", "-e", "staging", "ctl.hist.k", "{\"size\": 10, \"mode\": \"a\"}", "-m", "one");
    ctl.run("put", "-e", "staging", "ctl.hist.k", "{\"size\": 20, \"mode\": \"a\"}", "-m", "two");
    Ctl.Run history = ctl.run("history", "-e", "staging", "ctl.hist.k");
    assertThat(history.exitCode()).isZero();
    assertThat(history.out().lines().skip(1).map(line -> line.split("\\s+")[0])).containsExactly("2", "1");
    assertThat(history.out()).contains("bootstrap-admin", "two", "one");
    JsonArray items = new JsonObject(ctl.run("history", "-e", "staging", "ctl.hist.k", "-o", "json").out())
        .getJsonArray("items");
    assertThat(items).hasSize(2);

    Ctl.Run diff = ctl.run("diff", "versions", "-e", "staging", "ctl.hist.k", "1", "2");
    assertThat(diff.exitCode()).as(diff.toString()).isZero();
    assertThat(diff.out()).contains("-   \"size\" : 10", "+   \"size\" : 20", "    \"mode\" : \"a\"");
    assertThat(new JsonObject(ctl.run("diff", "versions", "-e", "staging", "ctl.hist.k", "1", "2", "-o", "json").out())
        .getBoolean("same")).isFalse();
    assertThat(ctl.run("diff", "versions", "-e", "staging", "ctl.hist.k", "1", "9").exitCode())
        .isEqualTo(ExitCode.NOT_FOUND);

    Ctl.Run rolled = ctl.run("rollback", "-e", "staging", "ctl.hist.k", "1");
    assertThat(rolled.out()).contains("version 3");
    assertThat(NODE.node().get("/v1/config/ctl.hist.k?env=staging").bodyAsJsonObject().getJsonObject("value")
        .getInteger("size")).isEqualTo(10);

    assertThat(ctl.run("delete", "-e", "staging", "ctl.hist.k").out()).contains("deleted ctl.hist.k in staging: version 4");
    assertThat(ctl.run("get", "-e", "staging", "ctl.hist.k").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(ctl.run("delete", "-e", "staging", "ctl.hist.k").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(ctl.run("rollback", "-e", "staging", "ctl.hist.k", "4").exitCode()).isEqualTo(ExitCode.CONFLICT);
  }

  @Test
  @DisplayName("diff envs names the keys only in one environment, those that differ, and counts the same")
  void diffEnvironments() {
    Ctl ctl = ctl();
    ctl.run("put", "-e", "staging", "ctl.envs.same", "1");
    ctl.run("put", "-e", "production", "ctl.envs.same", "1");
    ctl.run("put", "-e", "staging", "ctl.envs.differs", "\"s\"");
    ctl.run("put", "-e", "production", "ctl.envs.differs", "\"p\"");
    ctl.run("put", "-e", "staging", "ctl.envs.staging_only", "true");
    ctl.run("put", "-e", "production", "ctl.envs.production_only", "false");
    Ctl.Run human = ctl.run("diff", "envs", "staging", "production", "-p", "ctl.envs");
    assertThat(human.out()).contains("< ctl.envs.staging_only", "> ctl.envs.production_only",
        "≠ ctl.envs.differs: staging \"s\", production \"p\"", "1 only in staging, 1 only in production, 1 different, 1 the same");
    JsonObject json = new JsonObject(ctl.run("diff", "envs", "staging", "production", "-p", "ctl.envs", "-o", "json").out());
    assertThat(json.getInteger("same")).isEqualTo(1);
    assertThat(json.getJsonArray("different").getJsonObject(0).getString("key")).isEqualTo("ctl.envs.differs");
  }

  @Test
  @DisplayName("watch prints the changes under a prefix as they are written, and --count ends it")
  void watch() throws Exception {
    long head = head();
    CompletableFuture<Ctl.Run> watching = CompletableFuture.supplyAsync(() -> ctl().run("watch", "-e", "staging", "-p",
        "ctl.watch", "--since", Long.toString(head), "--count", "2", "-o", "json"));
    ctl().run("put", "-e", "staging", "ctl.other", "1");
    ctl().run("put", "-e", "staging", "ctl.watch.a", "\"first\"");
    ctl().run("delete", "-e", "staging", "ctl.watch.a");
    Ctl.Run watched = watching.get(60, TimeUnit.SECONDS);
    assertThat(watched.exitCode()).as(watched.toString()).isZero();
    assertThat(watched.out().lines().map(line -> new JsonObject(line).getString("key") + "@"
        + new JsonObject(line).getInteger("version") + (new JsonObject(line).getBoolean("deleted") ? "-" : "")))
        .containsExactly("ctl.watch.a@1", "ctl.watch.a@2-");

    Ctl.Run human = ctl().run("watch", "-e", "staging", "-p", "ctl.watch", "--since", Long.toString(head), "--count", "1");
    assertThat(human.out()).contains("ctl.watch.a  v1  \"first\"  by bootstrap-admin");
    assertThat(ctl().run("watch", "-e", "staging", "-p", "ctl.watch", "--since", "999999999", "--count", "1").exitCode())
        .as("a revision past the head: 410 snapshot-required").isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  @DisplayName("watch prints a transaction's changes together, each line naming the transaction, and --count never cuts one")
  void watchTransaction() throws Exception {
    long head = head();
    CompletableFuture<Ctl.Run> watching = CompletableFuture.supplyAsync(() -> ctl().run("watch", "-e", "staging", "-p",
        "ctl.twatch", "--since", Long.toString(head), "--count", "2", "-o", "json"));
    CompletableFuture<Ctl.Run> human = CompletableFuture.supplyAsync(() -> ctl().run("watch", "-e", "staging", "-p",
        "ctl.twatch", "--since", Long.toString(head), "--count", "1"));
    io.vertx.core.json.JsonArray ops = new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("op", "put").put("key", "ctl.twatch.a").put("value", 1))
        .add(new JsonObject().put("op", "put").put("key", "ctl.elsewhere").put("value", 1))
        .add(new JsonObject().put("op", "put").put("key", "ctl.twatch.b").put("value", 2))
        .add(new JsonObject().put("op", "put").put("key", "ctl.twatch.c").put("value", 3));
    var txn = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/txn?env=staging", new JsonObject().put("ops", ops));
    assertThat(txn.statusCode()).as(txn.bodyAsString()).isEqualTo(200);
    long id = txn.bodyAsJsonObject().getLong("txn");

    Ctl.Run watched = watching.get(60, TimeUnit.SECONDS);
    assertThat(watched.exitCode()).as(watched.toString()).isZero();
    assertThat(watched.out().lines().map(line -> new JsonObject(line).getString("key") + " txn "
        + new JsonObject(line).getJsonObject("txn").getLong("id")))
        .as("the whole transaction, past --count 2")
        .containsExactly("ctl.twatch.a txn " + id, "ctl.twatch.b txn " + id, "ctl.twatch.c txn " + id);
    Ctl.Run lines = human.get(60, TimeUnit.SECONDS);
    assertThat(lines.exitCode()).as(lines.toString()).isZero();
    assertThat(lines.out().lines()).hasSize(3).allMatch(line -> line.endsWith("by bootstrap-admin  txn " + id));
    assertThat(lines.out()).contains("ctl.twatch.a  v1  1  by", "ctl.twatch.c  v1  3  by");
  }

  @Test
  @DisplayName("watch reconnects when its stream is cut and resumes after the last change it printed: each change "
      + "once; with --no-reconnect a cut ends it with exit 5")
  void watchReconnects() throws Exception {
    Vertx vertx = Vertx.vertx();
    TcpProxy proxy = new TcpProxy(vertx);
    try {
      proxy.start("127.0.0.1", NODE.node().port()).await();
      Ctl through = new Ctl("http://127.0.0.1:" + proxy.port(), NODE.node().adminToken());
      long head = head();
      CompletableFuture<Ctl.Run> watching = CompletableFuture.supplyAsync(() -> through.run("watch", "-e", "staging",
          "-p", "ctl.rewatch", "--since", Long.toString(head), "--count", "3", "-o", "json"));
      ctl().run("put", "-e", "staging", "ctl.rewatch.a", "1");
      Eventually.await("the watch streams through the proxy", Duration.ofSeconds(30), () -> proxy.sockets() >= 2);
      proxy.cut().await();
      ctl().run("put", "-e", "staging", "ctl.rewatch.a", "2");
      ctl().run("put", "-e", "staging", "ctl.rewatch.b", "3");
      proxy.restore();
      Ctl.Run watched = watching.get(60, TimeUnit.SECONDS);
      assertThat(watched.exitCode()).as(watched.toString()).isZero();
      assertThat(watched.out().lines().map(line -> new JsonObject(line).getString("key") + "@"
          + new JsonObject(line).getInteger("version")))
          .as(watched.toString()).containsExactly("ctl.rewatch.a@1", "ctl.rewatch.a@2", "ctl.rewatch.b@1");
      assertThat(watched.err()).contains("reconnecting in");

      // the first watch's connections end (its client may keep them pooled), so that the next one counted is the stream's
      proxy.cut().await();
      Eventually.await("the first watch's connections closed", Duration.ofSeconds(30), () -> proxy.sockets() == 0);
      proxy.restore();
      long now = head();
      CompletableFuture<Ctl.Run> once = CompletableFuture.supplyAsync(() -> through.run("watch", "-e", "staging", "-p",
          "ctl.rewatch", "--since", Long.toString(now), "--count", "5", "--no-reconnect"));
      Eventually.await("the second watch streams through the proxy", Duration.ofSeconds(30), () -> proxy.sockets() >= 2);
      proxy.cut().await();
      Ctl.Run cut = once.get(60, TimeUnit.SECONDS);
      assertThat(cut.exitCode()).as(cut.toString()).isEqualTo(ExitCode.UNAVAILABLE);
      assertThat(cut.err()).contains("after 0 of 5 changes");
    } finally {
      proxy.close().await();
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("tokens create prints the secret once, list shows the token, revoke revokes it")
  void tokens() {
    Ctl ctl = ctl();
    Ctl.Run created = ctl.run("tokens", "create", "ctl-bot", "-g", "staging:ctl.tokens:write", "-g",
        "production:ctl.tokens:read", "--expires-in", "P30D");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    String secret = created.out().strip();
    assertThat(secret).startsWith("cfd_");
    Ctl bot = new Ctl("http://127.0.0.1:" + NODE.node().port(), secret);
    assertThat(bot.run("put", "-e", "staging", "ctl.tokens.k", "1").exitCode()).isZero();

    Ctl.Run listed = ctl.run("tokens", "list");
    assertThat(listed.out()).contains("ctl-bot", "active", "staging:ctl.tokens:write production:ctl.tokens:read")
        .doesNotContain(secret);
    String id = new JsonObject(ctl.run("tokens", "list", "-o", "json").out()).getJsonArray("items").stream()
        .map(JsonObject.class::cast).filter(token -> token.getString("name").equals("ctl-bot")).findFirst().orElseThrow()
        .getString("id");
    assertThat(ctl.run("tokens", "revoke", id).out()).contains("revoked ctl-bot");
    assertThat(bot.run("get", "-e", "staging", "ctl.tokens.k").exitCode()).isEqualTo(ExitCode.AUTH);
    assertThat(ctl.run("tokens", "create", "x", "-g", "staging-only").exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bot.run("tokens", "list").exitCode()).isEqualTo(ExitCode.AUTH);
  }

  @Test
  @DisplayName("status says the node is ready and who the token is; generate-completion prints a bash script")
  void statusAndCompletion() {
    Ctl.Run status = ctl().run("status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out()).contains("node: ready", "token: bootstrap-admin", "publisher:");
    JsonObject json = new JsonObject(ctl().run("status", "-o", "json").out());
    assertThat(json.getJsonObject("ready").getString("status")).isEqualTo("UP");
    assertThat(new Ctl("http://127.0.0.1:1", null).run("status").exitCode()).isEqualTo(ExitCode.UNAVAILABLE);

    Ctl.Run completion = ctl().run("generate-completion");
    assertThat(completion.exitCode()).isZero();
    assertThat(completion.out()).contains("complete -F", "configdctl", "import", "export", "watch");
  }
}
