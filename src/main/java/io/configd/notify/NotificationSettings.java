package io.configd.notify;

import io.configd.stream.KafkaSettings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;

/**
 * The {@code notify} section: the webhooks to alert, the key patterns that deserve an alert besides
 * critical keys, and the delivery budget (timeout per attempt, attempts, exponential back-off).
 */
public record NotificationSettings(String nodeName, String group, List<String> webhooks, List<KeyPattern> keyPatterns,
                                   int timeoutMs, int maxAttempts, long initialBackoffMs, long maxBackoffMs,
                                   long pollMs, KafkaSettings kafka) {

  public static NotificationSettings from(JsonObject notify, String nodeName, KafkaSettings kafka) {
    List<String> webhooks = strings(notify.getJsonArray("webhooks"));
    for (String webhook : webhooks) {
      URI uri = URI.create(webhook);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("notify.webhooks: '" + webhook + "' is not an http(s) URL");
      }
    }
    return new NotificationSettings(nodeName,
        notify.getString("group", "configd-notification"), webhooks,
        strings(notify.getJsonArray("keyPatterns")).stream().map(KeyPattern::parse).toList(),
        notify.getInteger("timeoutMs", 5_000), notify.getInteger("maxAttempts", 8),
        notify.getLong("initialBackoffMs", 1_000L), notify.getLong("maxBackoffMs", 300_000L),
        notify.getLong("pollMs", 1_000L),
        kafka);
  }

  /** The wait before the attempt after {@code attempt}: initial, doubled each time, capped. */
  long backoffAfter(int attempt) {
    long backoff = initialBackoffMs << Math.min(attempt - 1, 30);
    return Math.min(maxBackoffMs, backoff < 0 ? maxBackoffMs : backoff);
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(Object::toString).filter(s -> !s.isBlank()).toList();
  }
}
