package io.configd.client;

import io.configd.model.ConfigValue;
import io.configd.model.InstanceAck;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the node what this instance applied, on the client's context: after a (re)connection every key it holds, then
 * the keys whose version changed, per environment with the revision up to which its watches there are complete, and
 * the failures {@link ConfigClient#reportFailure} counted against that revision. Acks wait {@code delay} to gather a
 * burst of changes into one, and are split so that none exceeds what a bridge frame may carry.
 */
final class Acks {

  private static final Logger LOG = LoggerFactory.getLogger(Acks.class);
  /** Characters of keys per ack: a bridge frame is at most 64 KiB. */
  private static final int MAX_KEY_CHARS = 32_000;

  private final Vertx vertx;
  private final LocalState state;
  private final long delayMillis;
  private final Set<String> envs = new LinkedHashSet<>();
  private final Map<String, Map<String, Long>> pending = new HashMap<>();
  private final Map<String, Long> sentRevision = new HashMap<>();
  private final Map<String, Long> sentFailures = new HashMap<>();
  private final Map<String, Long> failureRevision = new HashMap<>();
  private final Map<String, Long> failures = new HashMap<>();
  private Source source;
  private long timer = -1;

  Acks(Vertx vertx, LocalState state, long delayMillis) {
    this.vertx = vertx;
    this.state = state;
    this.delayMillis = delayMillis;
    state.watches().forEach(watch -> envs.add(watch.env()));
  }

  /** A new connection that said hello: it knows nothing of this instance yet, so the next ack names every key. */
  void connected(Source connected) {
    source = connected;
    sentRevision.clear();
    sentFailures.clear();
    everyKey();
  }

  /** What the client holds was replaced (a fresh snapshot): the next ack names every key again. */
  void everyKey() {
    pending.clear();
    for (String env : envs) {
      Map<String, Long> keys = pending.computeIfAbsent(env, e -> new TreeMap<>());
      state.values(env).forEach((key, value) -> keys.put(key, (long) value.version()));
    }
    schedule();
  }

  void lost(Source lost) {
    if (source == lost) {
      source = null;
    }
  }

  /** A change was applied (its listeners ran). */
  void applied(ConfigValue change) {
    pending.computeIfAbsent(change.env(), env -> new TreeMap<>()).put(change.key(), (long) change.version());
    schedule();
  }

  /** The watermarks may have moved (a catch-up, a live change). */
  void moved() {
    schedule();
  }

  /** One more error against the revision each watched environment runs now. */
  void failure() {
    for (String env : envs) {
      long revision = revision(env).orElse(0);
      if (failureRevision.getOrDefault(env, -1L) != revision) {
        failureRevision.put(env, revision);
        failures.put(env, 0L);
      }
      failures.merge(env, 1L, Long::sum);
    }
    schedule();
  }

  private void schedule() {
    if (timer == -1 && source != null) {
      timer = vertx.setTimer(delayMillis, id -> {
        timer = -1;
        send();
      });
    }
  }

  private void send() {
    Source target = source;
    if (target == null) {
      return;
    }
    for (String env : envs) {
      OptionalLong known = revision(env);
      if (known.isEmpty()) {
        continue;
      }
      long revision = known.getAsLong();
      long failed = failureRevision.getOrDefault(env, -1L) == revision ? failures.getOrDefault(env, 0L) : 0;
      Map<String, Long> keys = pending.remove(env);
      if ((keys == null || keys.isEmpty()) && sentRevision.getOrDefault(env, -1L) == revision
          && sentFailures.getOrDefault(env, -1L) == failed) {
        continue;
      }
      sentRevision.put(env, revision);
      sentFailures.put(env, failed);
      Map<String, Long> chunk = new TreeMap<>();
      int chars = 0;
      for (Map.Entry<String, Long> key : (keys == null ? Map.<String, Long>of() : keys).entrySet()) {
        if (chars + key.getKey().length() + 24 > MAX_KEY_CHARS) {
          ack(target, new InstanceAck(env, revision, chunk, failed));
          chunk = new TreeMap<>();
          chars = 0;
        }
        chunk.put(key.getKey(), key.getValue());
        chars += key.getKey().length() + 24;
      }
      ack(target, new InstanceAck(env, revision, chunk, failed));
    }
  }

  private void ack(Source target, InstanceAck ack) {
    target.ack(ack).onFailure(failure -> {
      if (failure instanceof RejectedException) {
        LOG.warn("{} refused the ack of revision {} in {}: {}", target.node(), ack.revision(), ack.env(),
            failure.getMessage());
        return;
      }
      LOG.debug("The ack of revision {} in {} to {} failed: {}", ack.revision(), ack.env(), target.node(),
          failure.getMessage());
      if (source == target) {
        // sent again with the next ack (a new connection names every key anyway)
        ack.keys().forEach((key, version) -> pending.computeIfAbsent(ack.env(), env -> new TreeMap<>())
            .putIfAbsent(key, version));
        sentRevision.remove(ack.env());
        schedule();
      }
    });
  }

  /** The revision up to which every watch of {@code env} is complete: the lowest of their watermarks. */
  private OptionalLong revision(String env) {
    long lowest = Long.MAX_VALUE;
    for (Watch watch : state.watches()) {
      if (watch.env().equals(env)) {
        var mark = state.watermark(watch);
        if (mark.isEmpty()) {
          return OptionalLong.empty();
        }
        lowest = Math.min(lowest, mark.get());
      }
    }
    return lowest == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(lowest);
  }
}
