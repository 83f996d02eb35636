package io.configd.publisher;

import io.configd.store.PgSettings;
import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonObject;

/**
 * The publisher's settings: the {@code kafka} and {@code pg} sections, and from {@code publisher}:
 * the batch size, the safety-net sweep period, how often a follower tries to become the leader, and
 * the longest back-off after Kafka refused a batch, and how often the leader looks for rollout steps that have baked.
 */
public record PublisherSettings(String nodeName, KafkaSettings kafka, PgSettings pg, int batchSize, long sweepMs,
                                long leaderRetryMs, long maxBackoffMs, long rolloutTickMs) {

  public static PublisherSettings from(JsonObject publisher, String nodeName, KafkaSettings kafka, PgSettings pg) {
    return new PublisherSettings(nodeName, kafka, pg,
        publisher.getInteger("batchSize", 500), publisher.getLong("sweepMs", 30_000L),
        publisher.getLong("leaderRetryMs", 1_000L), publisher.getLong("maxBackoffMs", 5_000L),
        publisher.getLong("rolloutTickMs", 500L));
  }
}
