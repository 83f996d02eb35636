package io.configd.cache;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script that Redis runs by its SHA-1 (EVALSHA): its text is neither sent nor hashed by Redis at every call, as
 * EVAL does. Redis holds scripts in memory only, so after a restart, a failover or SCRIPT FLUSH it answers NOSCRIPT;
 * the call then goes once more as EVAL with the text, which also loads it for the calls after.
 */
record LuaScript(String text, String sha1) {

  /** One try of a call: by the script's SHA-1, or by its text. */
  @FunctionalInterface
  interface Attempt<T> {
    Future<T> send(boolean byText);
  }

  static LuaScript of(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return new LuaScript(text, HexFormat.of().formatHex(digest));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** EVALSHA (or EVAL with the text) of this script with its number of keys; the caller adds keys and arguments. */
  Request call(boolean byText, int keys) {
    return byText ? Request.cmd(Command.EVAL).arg(text).arg(keys) : Request.cmd(Command.EVALSHA).arg(sha1).arg(keys);
  }

  /**
   * Sends by SHA-1 and, when Redis answered with an error, once more by text. NOSCRIPT is the error expected; a pipelined
   * batch reports its errors merged into one, so any error reply goes again: our scripts raise none of their own, and
   * an error of Redis's state (OOM, READONLY, LOADING) comes back the second time as well. A failure that is no
   * answer (a timeout, a lost connection) is not retried here.
   */
  static <T> Future<T> run(Attempt<T> attempt) {
    return attempt.send(false)
        .recover(failure -> failure instanceof Response reply && reply.type() == ResponseType.ERROR
            ? attempt.send(true) : Future.failedFuture(failure));
  }
}
