package io.configd.cache;

import io.configd.TestNode;
import io.configd.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** What the cache tests share: isolated configuration, HTTP calls to a node, Redis look-ups, polling with a deadline. */
final class CacheTesting {

  static final String ENV = "production";

  private CacheTesting() {
  }

  /**
   * The node configuration of TestServices with a Redis namespace of its own for this run: a schema is dropped
   * between runs, Redis keys are not, and a version left from an earlier run must not meet a fresh schema.
   */
  static JsonObject isolatedConfig(String testClass) {
    JsonObject config = TestServices.nodeConfig(testClass);
    JsonObject redis = config.getJsonObject("redis");
    redis.put("namespace", redis.getString("namespace") + UUID.randomUUID().toString().substring(0, 8) + ":");
    return config;
  }

  static Future<HttpResponse<Buffer>> put(TestNode node, String key, Object value) {
    return node.http().put("/v1/config/" + key).addQueryParam("env", ENV)
        .sendJsonObject(new JsonObject().put("value", value));
  }

  static Future<HttpResponse<Buffer>> delete(TestNode node, String key) {
    return node.http().delete("/v1/config/" + key).addQueryParam("env", ENV).send();
  }

  static Future<HttpResponse<Buffer>> get(TestNode node, String key) {
    return node.http().get("/v1/config/" + key).addQueryParam("env", ENV).send();
  }

  static Future<JsonObject> stats(TestNode node) {
    return node.http().get("/v1/stats/cache").send().map(HttpResponse::bodyAsJsonObject);
  }

  static long counter(JsonObject stats, String tier, String name) {
    return stats.getJsonObject(tier).getLong(name);
  }

  static Future<Response> redis(Redis redis, Command command, String... args) {
    Request request = Request.cmd(command);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request);
  }

  /** Repeats {@code attempt} every 50 ms until its result satisfies {@code done}, failing after {@code timeoutMs}. */
  static <T> Future<T> until(Vertx vertx, long timeoutMs, String what, Supplier<Future<T>> attempt, Predicate<T> done) {
    Promise<T> result = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    poll(vertx, deadline, what, attempt, done, result);
    return result.future();
  }

  private static <T> void poll(Vertx vertx, long deadline, String what, Supplier<Future<T>> attempt, Predicate<T> done,
                               Promise<T> result) {
    attempt.get().onComplete(answer -> {
      if (answer.succeeded() && done.test(answer.result())) {
        result.complete(answer.result());
      } else if (System.currentTimeMillis() > deadline) {
        result.fail(new AssertionError("timed out waiting until " + what
            + (answer.failed() ? " (last attempt failed: " + answer.cause() + ")" : " (last: " + answer.result() + ")")));
      } else {
        vertx.setTimer(50, id -> poll(vertx, deadline, what, attempt, done, result));
      }
    });
  }
}
