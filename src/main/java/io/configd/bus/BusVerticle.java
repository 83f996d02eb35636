package io.configd.bus;

import io.configd.model.ConfigValue;
import io.configd.springcloud.RefreshEvent;
import io.configd.springcloud.SpringCloudSettings;
import io.configd.stream.ChangeConsumer;
import io.configd.stream.KafkaSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.admin.KafkaAdminClient;
import io.vertx.kafka.admin.NewTopic;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells Spring Cloud Bus applications to refresh: reads the change stream in its own consumer group and, for each
 * batch, publishes one {@link RefreshEvent} per application whose keys changed (every application for the shared
 * defaults) on the bus topic. Apps with spring-cloud-starter-bus-kafka then fetch their Environment again from the
 * Config Server routes, which read PostgreSQL, where the change already is. At least once: a batch read again
 * publishes its events again, and a refresh is idempotent.
 */
public class BusVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BusVerticle.class);

  private final SpringCloudSettings settings;
  private final KafkaSettings kafka;
  private final String nodeName;
  private KafkaProducer<String, String> producer;
  private ChangeConsumer consumer;

  public BusVerticle(SpringCloudSettings settings, KafkaSettings kafka, String nodeName) {
    this.settings = settings;
    this.kafka = kafka;
    this.nodeName = nodeName;
  }

  @Override
  public Future<?> start() {
    String clientId = "configd-bus-" + nodeName;
    producer = KafkaProducer.create(vertx, kafka.producerConfig(clientId));
    return ensureTopic().compose(ready -> ChangeConsumer.start(vertx, kafka, settings.busGroup(), clientId, this::publish)
        .onSuccess(started -> {
          consumer = started;
          LOG.info("Spring Cloud Bus: a RefreshRemoteApplicationEvent on '{}' for every change under {}",
              settings.busTopic(), settings.applicationPrefix());
        }));
  }

  /**
   * The bus topic, created as Spring Cloud Stream would (one partition) when no application created it yet: brokers
   * that do not create topics on first use would otherwise hold every send until it times out.
   */
  private Future<Void> ensureTopic() {
    KafkaAdminClient admin = KafkaAdminClient.create(vertx, kafka.adminConfig("configd-bus-admin-" + nodeName));
    return admin.listTopics()
        .compose(topics -> topics.contains(settings.busTopic()) ? Future.<Void>succeededFuture()
            : admin.createTopics(List.of(new NewTopic(settings.busTopic(), 1, kafka.replicationFactor())))
                .onSuccess(created -> LOG.info("Created the Spring Cloud Bus topic '{}'", settings.busTopic()))
                .recover(failure -> failure instanceof TopicExistsException
                    || failure.getCause() instanceof TopicExistsException
                    ? Future.succeededFuture() : Future.failedFuture(failure)))
        .eventually(admin::close);
  }

  @Override
  public Future<?> stop() {
    Future<Void> stopped = consumer == null ? Future.succeededFuture() : consumer.stop();
    return stopped.eventually(() -> producer.close());
  }

  private Future<Void> publish(List<ConfigValue> changes) {
    Set<String> applications = new LinkedHashSet<>();
    changes.forEach(change -> settings.applicationOf(change.key()).ifPresent(applications::add));
    if (applications.contains(SpringCloudSettings.SHARED_APPLICATION)) {
      applications.retainAll(Set.of(SpringCloudSettings.SHARED_APPLICATION));
    }
    long now = System.currentTimeMillis();
    return Future.all(applications.stream()
            .map(application -> RefreshEvent.forApplication(settings.origin(), application, now))
            .map(event -> producer.send(KafkaProducerRecord.create(settings.busTopic(), event.toJson().encode())))
            .toList())
        .onSuccess(sent -> LOG.debug("Spring Cloud Bus: refresh sent to {}", applications))
        .mapEmpty();
  }
}
