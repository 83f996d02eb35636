package io.configd.stream;

import io.vertx.core.MultiMap;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.producer.KafkaHeader;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.time.Instant;

/**
 * The times a change passes each hop of the change path, so that {@code bin/bench} can print where the time
 * from a write's 200 to a subscriber's socket goes. Wall-clock microseconds (every hop of one node runs on one
 * machine's clock): the publisher heard the change's NOTIFY and sent it to Kafka (two Kafka record headers), the
 * propagation read it from Kafka and released it in revision order (with those two, one event-bus header), and
 * the bridge wrote it (with the four, a frame header, when {@code bridge.traceHops} is on).
 */
public final class HopTrace {

  public static final String NOTIFIED = "configd-notified";
  public static final String SENT = "configd-sent";
  /** The event-bus and frame header: "notified,sent,consumed,released[,written]". */
  public static final String HEADER = "configd-trace";

  private HopTrace() {
  }

  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  public static void stampRelay(KafkaProducerRecord<String, String> record, long notifiedMicros, long sentMicros) {
    record.addHeader(NOTIFIED, Long.toString(notifiedMicros)).addHeader(SENT, Long.toString(sentMicros));
  }

  /** "notified,sent," from the record's headers, or "0,0," for a record of a relay that did not stamp it. */
  public static String relayed(KafkaConsumerRecord<String, String> record) {
    String notified = "0";
    String sent = "0";
    for (KafkaHeader header : record.headers()) {
      if (header.key().equals(NOTIFIED)) {
        notified = header.value().toString();
      } else if (header.key().equals(SENT)) {
        sent = header.value().toString();
      }
    }
    return notified + ',' + sent + ',';
  }

  /** The bus header of a released change: what the relay stamped, then when it was consumed and released. */
  public static MultiMap released(String relayed, long consumedMicros, long releasedMicros) {
    return MultiMap.caseInsensitiveMultiMap().add(HEADER, relayed + consumedMicros + ',' + releasedMicros);
  }
}
