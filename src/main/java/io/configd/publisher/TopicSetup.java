package io.configd.publisher;

import io.configd.stream.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.Config;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.admin.TopicDescription;
import io.vertx.kafka.client.common.ConfigResource;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the change topic exists: creates it when absent (partitions, replication factor, 7 days'
 * retention); when it exists with other settings, says so and leaves it alone: an operator decides.
 */
final class TopicSetup {

  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
  private static final String RETENTION = "retention.ms";

  private final KafkaSettings kafka;
  private final KafkaAdminClient admin;

  TopicSetup(Vertx vertx, KafkaSettings kafka, String clientId) {
    this.kafka = kafka;
    this.admin = KafkaAdminClient.create(vertx, kafka.adminConfig(clientId));
  }

  Future<Void> ensureTopic() {
    return admin.describeTopics(List.of(kafka.topic()))
        .compose(topics -> checkExisting(topics.get(kafka.topic())))
        .recover(failure -> isUnknownTopic(failure) ? create() : Future.failedFuture(failure));
  }

  Future<Void> close() {
    return admin.close();
  }

  private Future<Void> create() {
    NewTopic topic = new NewTopic(kafka.topic(), kafka.partitions(), kafka.replicationFactor())
        .setConfig(Map.of(RETENTION, Long.toString(kafka.retentionMs())));
    return admin.createTopics(List.of(topic))
        .onSuccess(created -> LOG.info("Created topic '{}': {} partitions, replication factor {}, retention {} ms",
            kafka.topic(), kafka.partitions(), kafka.replicationFactor(), kafka.retentionMs()))
        .recover(failure -> failure instanceof TopicExistsException || failure.getCause() instanceof TopicExistsException
            ? Future.succeededFuture() // another node created it first
            : Future.failedFuture(failure));
  }

  private Future<Void> checkExisting(TopicDescription topic) {
    int partitions = topic.getPartitions().size();
    int replicas = topic.getPartitions().isEmpty() ? 0 : topic.getPartitions().get(0).getReplicas().size();
    if (partitions != kafka.partitions() || replicas != kafka.replicationFactor()) {
      LOG.warn("Topic '{}' exists with {} partitions and replication factor {}; configured: {} and {}. "
              + "Left as it is: changing a topic is an operator's decision", kafka.topic(), partitions, replicas,
          kafka.partitions(), kafka.replicationFactor());
    }
    ConfigResource resource = new ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, kafka.topic());
    return admin.describeConfigs(List.of(resource)).map(configs -> {
      Config config = configs.get(resource);
      String retention = config == null ? null : config.getEntries().stream()
          .filter(entry -> entry.getName().equals(RETENTION)).map(entry -> entry.getValue()).findFirst().orElse(null);
      if (retention != null && !retention.equals(Long.toString(kafka.retentionMs()))) {
        LOG.warn("Topic '{}' exists with {}={}; configured: {}. Left as it is", kafka.topic(), RETENTION, retention,
            kafka.retentionMs());
      }
      return null;
    });
  }

  private static boolean isUnknownTopic(Throwable failure) {
    return failure instanceof UnknownTopicOrPartitionException
        || failure.getCause() instanceof UnknownTopicOrPartitionException;
  }
}
