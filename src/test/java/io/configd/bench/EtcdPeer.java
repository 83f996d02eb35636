package io.configd.bench;

import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.function.LongConsumer;

/**
 * Debian's etcd-server (3.4), one member with its defaults (every write fsynced), on spare loopback ports and a data
 * directory of its own, driven over its HTTP gateway as an operator comparing it with configd would: /v3/kv/put for
 * writes and a streaming /v3/watch per watcher. Stopped by its PID.
 */
final class EtcdPeer {

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final HttpClient http;
  private final Vertx vertx;

  private EtcdPeer(Vertx vertx, Process process, int port, Path dataDir, int concurrency) {
    this.vertx = vertx;
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(64, concurrency + 16)));
  }

  static EtcdPeer start(Vertx vertx, Path out, String run) {
    try {
      Path binary = Path.of("/usr/bin/etcd");
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException("--peer etcd needs Debian's etcd-server: bin/ensure etcd (bin/bench runs it for --peer etcd)");
      }
      int client = TestServices.freePort();
      int peer = TestServices.freePort();
      Path dataDir = Files.createTempDirectory("bench-etcd-");
      Path log = out.resolve("etcd-" + run + ".log");
      Files.createDirectories(out);
      ProcessBuilder builder = new ProcessBuilder(binary.toString(), "--name", "default", "--data-dir", dataDir.toString(),
          "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
          "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
          "--initial-cluster", "default=http://127.0.0.1:" + peer, "--log-outputs", "stderr");
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      EtcdPeer etcd = new EtcdPeer(vertx, builder.start(), client, dataDir, 128);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (true) {
        try {
          NodeUnderTest.await(etcd.put("bench.ready", "1"), 5, "etcd's first put");
          return etcd;
        } catch (RuntimeException notYet) {
          if (!etcd.process.isAlive() || System.nanoTime() > deadline) {
            etcd.stop();
            throw new IllegalStateException("etcd did not start; see " + log, notYet);
          }
          NodeUnderTest.sleepMillis(200); // polling for the port to answer, with the deadline above
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot start etcd: " + e, e);
    }
  }

  long pid() {
    return process.pid();
  }

  JsonObject description() {
    return new JsonObject().put("system", "etcd").put("version", "3.4 (Debian etcd-server)").put("pid", process.pid())
        .put("url", "http://127.0.0.1:" + port).put("fsync", "on (default)");
  }

  /** A durable put; completes with the revision of the write. */
  Future<Long> put(String key, String value) {
    JsonObject body = new JsonObject().put("key", b64(key)).put("value", b64(value));
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v3/kv/put").setIdleTimeout(30_000)
            .putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body.encode()))
        .compose(response -> response.body().compose(buffer -> response.statusCode() == 200
            ? Future.succeededFuture(Long.parseLong(new JsonObject(buffer).getJsonObject("header").getString("revision")))
            : Future.failedFuture("etcd answered " + response.statusCode() + ": " + buffer)));
  }

  /**
   * A watcher on the key, or on every key under it with {@code prefix}, over a client of the caller's (one connection
   * per watcher); completes once etcd confirmed the watch. {@code onRevision} gets the mod revision of each event.
   */
  static Future<Void> watch(HttpClient watchers, String key, boolean prefix, LongConsumer onRevision) {
    JsonObject create = new JsonObject().put("key", b64(key));
    if (prefix) {
      create.put("range_end", b64(key.substring(0, key.length() - 1) + (char) (key.charAt(key.length() - 1) + 1)));
    }
    Promise<Void> created = Promise.promise();
    return watchers.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/v3/watch")
            .putHeader("Content-Type", "application/json"))
        .compose(req -> {
          req.response().onSuccess(response -> {
            StringBuilder pending = new StringBuilder();
            response.handler(chunk -> {
              pending.append(chunk.toString(StandardCharsets.UTF_8));
              int newline;
              while ((newline = pending.indexOf("\n")) >= 0) {
                String line = pending.substring(0, newline).trim();
                pending.delete(0, newline + 1);
                if (!line.isEmpty()) {
                  onMessage(new JsonObject(line), created, onRevision);
                }
              }
            });
            response.exceptionHandler(failure -> created.tryFail(failure));
          }).onFailure(created::tryFail);
          return req.send(new JsonObject().put("create_request", create).encode()).map((Void) null);
        })
        .compose(sent -> created.future());
  }

  private static void onMessage(JsonObject message, Promise<Void> created, LongConsumer onRevision) {
    JsonObject result = message.getJsonObject("result");
    if (result == null) {
      created.tryFail("etcd refused the watch: " + message.encode());
      return;
    }
    if (result.getBoolean("created", false)) {
      created.tryComplete();
    }
    JsonArray events = result.getJsonArray("events");
    if (events != null) {
      for (Object event : events) {
        onRevision.accept(Long.parseLong(((JsonObject) event).getJsonObject("kv").getString("mod_revision")));
      }
    }
  }

  HttpClient watchClient(int watchers) {
    return vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true).setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(watchers + 16));
  }

  void stop() {
    http.close();
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

}
