package io.configd.metrics;

import io.configd.stream.KafkaSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.ListOffsetsResultInfo;
import io.vertx.kafka.admin.OffsetSpec;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How many records of the change topic each of this deployment's consumer groups (audit, notification) has not yet
 * committed, asked of Kafka at each scrape: the end offset of every partition less the group's committed offset (its
 * first offset when the group committed nothing there yet). NaN while Kafka does not answer.
 */
final class ConsumerLag {

  private static final long TIMEOUT_SECONDS = 3;

  private final KafkaAdminClient admin;
  private final String topic;
  private final Map<String, Double> lag = new ConcurrentHashMap<>();

  /** @param groups the groups' full names (with the deployment's suffix), as Kafka knows them */
  ConsumerLag(Vertx vertx, KafkaSettings kafka, String clientId, List<String> groups, MeterRegistry registry) {
    this.admin = KafkaAdminClient.create(vertx, kafka.adminConfig(clientId));
    this.topic = kafka.topic();
    for (String group : groups) {
      lag.put(group, Double.NaN);
      Gauge.builder("configd.consumer.lag", lag, values -> values.getOrDefault(group, Double.NaN))
          .description("Records of the change topic the consumer group has not committed yet")
          .baseUnit("records").tag("group", group).register(registry);
    }
  }

  Future<Void> refresh() {
    return admin.describeTopics(List.of(topic))
        .compose(topics -> {
          List<TopicPartition> partitions = topics.get(topic).getPartitions().stream()
              .map(info -> new TopicPartition(topic, info.getPartition())).toList();
          return Future.all(offsets(partitions, OffsetSpec.LATEST), offsets(partitions, OffsetSpec.EARLIEST))
              .compose(both -> Future.join(lag.keySet().stream()
                  .map(group -> refresh(group, partitions, both.resultAt(0), both.resultAt(1))).toList()));
        })
        .timeout(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .onFailure(failure -> lag.replaceAll((group, value) -> Double.NaN))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private Future<Void> refresh(String group, List<TopicPartition> partitions, Map<TopicPartition, ListOffsetsResultInfo> end,
                               Map<TopicPartition, ListOffsetsResultInfo> first) {
    return admin.listConsumerGroupOffsets(group)
        .onSuccess(committed -> {
          long behind = 0;
          for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            long from = offset != null ? offset.getOffset() : first.get(partition).getOffset();
            behind += Math.max(0, end.get(partition).getOffset() - from);
          }
          lag.put(group, (double) behind);
        })
        .onFailure(failure -> lag.put(group, Double.NaN))
        .mapEmpty();
  }

  private Future<Map<TopicPartition, ListOffsetsResultInfo>> offsets(List<TopicPartition> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(partition -> specs.put(partition, spec));
    return admin.listOffsets(specs);
  }

  Future<Void> close() {
    return admin.close();
  }
}
