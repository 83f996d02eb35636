package io.configd.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one dedicated Redis connection subscribed to the invalidation channel (the Vert.x 5 Redis client does not
 * forward pub/sub messages anywhere by itself) and hands each message to the cache. When the connection is lost it
 * retries every {@code resubscribeMs}; once back, {@code onRestored} runs, because messages sent meanwhile are gone.
 */
final class InvalidationSubscriber {

  private static final Logger LOG = LoggerFactory.getLogger(InvalidationSubscriber.class);

  private final Vertx vertx;
  private final CacheSettings settings;
  private final String channel;
  private final Consumer<JsonObject> onMessage;
  private final Runnable onRestored;
  private final Redis client;
  private RedisConnection connection;
  private boolean subscribed;
  private boolean lostOnce;
  private boolean closed;
  private long retryTimer = -1;
  private int attempts;

  InvalidationSubscriber(Vertx vertx, CacheSettings settings, String channel, Consumer<JsonObject> onMessage,
                         Runnable onRestored) {
    this.vertx = vertx;
    this.settings = settings;
    this.channel = channel;
    this.onMessage = onMessage;
    this.onRestored = onRestored;
    this.client = Redis.createClient(vertx, RedisTier.options(settings).setMaxPoolSize(1));
  }

  /** Subscribes; when Redis does not answer in time, keeps trying in the background and succeeds anyway. */
  Future<Void> start() {
    return subscribe().timeout(3, TimeUnit.SECONDS).recover(failure -> {
      LOG.warn("Could not subscribe to Redis channel '{}' ({}); near-cache invalidations from other nodes wait for it, "
          + "retrying every {} ms", channel, failure.getMessage(), settings.resubscribeMs());
      lost();
      return Future.succeededFuture();
    });
  }

  boolean subscribed() {
    return subscribed;
  }

  Future<Void> close() {
    closed = true;
    vertx.cancelTimer(retryTimer);
    return client.close();
  }

  private Future<Void> subscribe() {
    Promise<Void> confirmed = Promise.promise();
    int attempt = attempts;
    return client.connect().compose(conn -> {
      if (attempt != attempts || closed) {
        conn.close();
        return Future.failedFuture("subscription attempt abandoned");
      }
      connection = conn;
      conn.handler(response -> onPush(response, confirmed));
      conn.exceptionHandler(failure -> LOG.debug("Redis subscription connection failed: {}", failure.toString()));
      conn.endHandler(end -> {
        if (connection == conn) {
          lost();
        }
      });
      return conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel))
          .compose(reply -> confirmed.future().timeout(2, TimeUnit.SECONDS))
          .compose(done -> {
            if (connection != conn || closed) {
              conn.close();
              return Future.failedFuture("subscription attempt abandoned");
            }
            subscribed = true;
            if (lostOnce) {
              LOG.info("Redis subscription to '{}' restored", channel);
              onRestored.run();
            }
            return Future.<Void>succeededFuture();
          })
          .onFailure(failure -> {
            if (connection == conn) {
              connection = null;
            }
            conn.close();
          });
    });
  }

  private void onPush(Response response, Promise<Void> confirmed) {
    if (response == null || response.type() != ResponseType.PUSH && response.type() != ResponseType.MULTI
        || response.size() < 3) {
      return;
    }
    String kind = response.get(0).toString();
    if ("subscribe".equals(kind)) {
      confirmed.tryComplete();
    } else if ("message".equals(kind) && channel.equals(response.get(1).toString())) {
      try {
        onMessage.accept(new JsonObject(response.get(2).toString()));
      } catch (RuntimeException e) {
        LOG.warn("Ignoring a malformed invalidation on '{}': {}", channel, e.toString());
      }
    }
  }

  private void lost() {
    if (closed) {
      return;
    }
    if (subscribed) {
      LOG.warn("Redis subscription to '{}' lost; retrying every {} ms", channel, settings.resubscribeMs());
    }
    subscribed = false;
    lostOnce = true;
    attempts++;
    if (connection != null) {
      RedisConnection abandoned = connection;
      connection = null;
      abandoned.close();
    }
    retryTimer = vertx.setTimer(settings.resubscribeMs(), id -> subscribe().onFailure(failure -> lost()));
  }
}
