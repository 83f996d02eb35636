package io.configd.cli;

import static io.configd.Problem.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNode;
import io.configd.TestNodeExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/export and POST /v1/import, over HTTP and through configdctl. */
@DisplayName("Export and import")
class ExportImportTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ExportImportTest");

  private static final JsonObject VALUES = new JsonObject()
      .put("pool", 20).put("url", "jdbc:postgresql://db/pay").put("flag", true).put("ratio", 0.25)
      .put("numeric_text", "20").put("quoted", "\"x\"").put("null_text", "null").put("spaced", "  a = b # c  ")
      .put("unicode", "café ✓\nline two").put("db", new JsonObject().put("host", "db").put("ports", new JsonArray().add(1).add(2)))
      .put("list", new JsonArray().add("a").add(new JsonObject().put("b", 1)));

  @TempDir
  Path dir;

  private static TestNode node() {
    return NODE.node();
  }

  private static long head() {
    return node().get("/v1/changes?env=development&prefix=nothing.here&since=0").bodyAsJsonObject().getLong("head");
  }

  private static void seed(String env, String prefix) {
    VALUES.forEach(member -> assertThat(node().put(prefix + "." + member.getKey(), env, member.getValue()).statusCode())
        .isIn(200, 201));
  }

  private static JsonObject values(String env, String prefix) {
    JsonObject values = new JsonObject();
    node().get("/v1/config?env=" + env + "&prefix=" + prefix + "&limit=1000").bodyAsJsonObject().getJsonArray("items")
        .forEach(item -> values.put(((JsonObject) item).getString("key").substring(prefix.length() + 1),
            ((JsonObject) item).getValue("value")));
    return values;
  }

  @Test
  @DisplayName("what is exported as JSON, YAML or .properties imports back into another environment unchanged")
  void roundTrip() throws Exception {
    seed("staging", "rt");
    for (String format : new String[] {"json", "yaml", "properties"}) {
      HttpResponse<Buffer> exported = node().get("/v1/export?env=staging&prefix=rt&format=" + format);
      assertThat(exported.statusCode()).as(exported.bodyAsString()).isEqualTo(200);
      assertThat(exported.getHeader("Content-Disposition")).contains("staging-rt." + format);
      Path file = dir.resolve("rt." + format);
      Files.writeString(file, exported.bodyAsString());
      String target = "rt" + format;
      String renamed = exported.bodyAsString().replace("rt.", target + ".");
      Files.writeString(file, renamed);
      Ctl.Run imported = new Ctl(node()).run("import", file.toString(), "-e", "production", "-p", target);
      assertThat(imported.exitCode()).as(imported.toString()).isZero();
      assertThat(imported.out()).contains(VALUES.size() + " added, 0 changed, 0 removed, 0 unchanged; written at revision");
      assertThat(values("production", target)).as(format + ":\n" + renamed).isEqualTo(VALUES);
    }
    assertThat(node().get("/v1/export?env=staging&prefix=rt&format=yaml").bodyAsString())
        .contains("rt.pool: 20", "rt.db:\n  host: db");
    assertThat(node().get("/v1/export?env=staging&prefix=rt&format=properties").bodyAsString())
        .contains("rt.pool=20\n", "rt.numeric_text=\"20\"\n", "rt.url=jdbc\\:postgresql\\://db/pay\n");
    Ctl.Run exported = new Ctl(node()).run("export", "-e", "staging", "-p", "rt");
    assertThat(new JsonObject(exported.out()).getInteger("rt.pool")).isEqualTo(20);
  }

  @Test
  @DisplayName("a dry run prints added, changed, removed and unchanged and writes nothing; the import then writes it in one go")
  void dryRun() throws Exception {
    node().put("dry.same", "development", 1);
    node().put("dry.changes", "development", "old");
    node().put("dry.goes", "development", "bye");
    Path file = dir.resolve("dry.yaml");
    Files.writeString(file, "dry.same: 1\ndry.changes: new\ndry.comes: {a: 1}\n");
    long before = head();

    Ctl.Run dry = new Ctl(node()).run("import", file.toString(), "-e", "development", "-p", "dry", "--prune", "--dry-run");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.out()).contains("+ dry.comes = {\"a\":1}", "~ dry.changes: \"old\" → \"new\"", "- dry.goes (was \"bye\")",
        "1 added, 1 changed, 1 removed, 1 unchanged; dry run: nothing written");
    assertThat(head()).as("a dry run takes no revision").isEqualTo(before);
    assertThat(node().get("/v1/config/dry.changes?env=development").bodyAsJsonObject().getString("value")).isEqualTo("old");

    JsonObject json = new JsonObject(new Ctl(node()).run("import", file.toString(), "-e", "development", "-p", "dry",
        "--prune", "-o", "json").out());
    assertThat(json.getBoolean("dryRun")).isFalse();
    assertThat(json.getLong("revision")).isEqualTo(before + 3);
    assertThat(head()).isEqualTo(before + 3);
    assertThat(node().get("/v1/config/dry.changes?env=development").bodyAsJsonObject().getString("value")).isEqualTo("new");
    assertThat(node().get("/v1/config/dry.goes?env=development").statusCode()).isEqualTo(404);
    JsonObject changed = node().get("/v1/config/dry.changes/versions/2?env=development").bodyAsJsonObject();
    assertThat(changed.getString("comment")).isEqualTo("import");

    Ctl.Run again = new Ctl(node()).run("import", file.toString(), "-e", "development", "-p", "dry", "--prune");
    assertThat(again.out()).contains("0 added, 0 changed, 0 removed, 3 unchanged; nothing to write");
    assertThat(head()).isEqualTo(before + 3);
  }

  @Test
  @DisplayName("an import with one invalid value, key or size writes nothing at all, and says which")
  void failingImportWritesNothing() throws Exception {
    node().put("bad.kept", "development", "before");
    long before = head();
    String[][] cases = {
        {"{\"bad.kept\": \"after\", \"bad.new\": 1, \"bad.empty\": null}", "invalid-body", "bad.empty"},
        {"{\"bad.kept\": \"after\", \"bad..key\": 1}", "invalid-key", "bad..key"},
        {"{\"bad.kept\": \"after\", \"elsewhere.k\": 1}", "invalid-body", "not under the prefix"},
        {"{\"bad.kept\": \"after\", \"bad.big\": \"" + "x".repeat(1_100_000 / 2) + "x".repeat(1_100_000 / 2) + "\"}",
            "value-too-large", ""},
        {"[1, 2]", "invalid-body", "one object"},
    };
    for (String[] bad : cases) {
      HttpResponse<Buffer> refused = node().call(HttpMethod.POST, "/v1/import?env=development&prefix=bad", bad[0],
          "Content-Type", "application/json");
      if (bad[1].equals("value-too-large")) {
        assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(413);
      } else {
        assertThat(assertProblem(refused, 400, bad[1]).getString("detail")).contains(bad[2]);
      }
    }
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "bad.kept=after\nbad.new=1\nbad.empty=null\n");
    Ctl.Run run = new Ctl(node()).run("import", file.toString(), "-e", "development", "-p", "bad");
    assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err()).contains("bad.empty", "nothing was written");

    assertThat(head()).as("no refused import took a revision").isEqualTo(before);
    assertThat(node().get("/v1/config/bad.kept?env=development").bodyAsJsonObject().getString("value")).isEqualTo("before");
    assertThat(node().get("/v1/config/bad.new?env=development").statusCode()).isEqualTo(404);
  }

  @Test
  @DisplayName("export needs read on the whole prefix, import write on every key it changes; either refusal writes nothing")
  void grants() {
    node().put("grant.a", "development", 1);
    node().put("grant.b.c", "development", 2);
    TestNode partial = node().as(node().createToken("grant-partial", "development", "grant.a", "write"));
    assertProblem(partial.get("/v1/export?env=development&prefix=grant"), 403, "forbidden");
    assertThat(partial.get("/v1/export?env=development&prefix=grant.a").statusCode()).isEqualTo(200);
    TestNode reader = node().as(node().createToken("grant-reader", "development", "grant", "read"));
    long before = head();
    assertProblem(reader.call(HttpMethod.POST, "/v1/import?env=development&prefix=grant",
        "{\"grant.a\": 5}", "Content-Type", "application/json"), 403, "forbidden");
    assertProblem(node().get("/v1/export?env=development&format=xml"), 400, "invalid-parameter");
    assertThat(head()).isEqualTo(before);
  }
}
