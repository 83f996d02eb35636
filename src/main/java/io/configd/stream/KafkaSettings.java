package io.configd.stream;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The {@code kafka} section: where the change stream lives and how its clients connect. The optional
 * {@code producer}, {@code consumer} and {@code admin} objects pass Kafka client properties through
 * (timeouts, back-offs), and win over the defaults here.
 */
public record KafkaSettings(String bootstrapServers, String topic, int partitions, short replicationFactor,
                            long retentionMs, String groupSuffix, JsonObject producer, JsonObject consumer,
                            JsonObject admin) {

  public static final long SEVEN_DAYS_MS = 7L * 24 * 3600 * 1000;
  /** How long a consumer-group member may be silent before the broker gives its partitions to the others. */
  static final int SESSION_TIMEOUT_MS = 6_000;
  /** How long the broker may hold a group consumer's fetch, and how much it waits for meanwhile. */
  static final int GROUP_FETCH_MAX_WAIT_MS = 500;
  static final int GROUP_FETCH_MIN_BYTES = 1 << 20;

  public static KafkaSettings from(JsonObject kafka) {
    return new KafkaSettings(kafka.getString("bootstrapServers"), kafka.getString("topic", "config.updates"),
        kafka.getInteger("partitions", 10), kafka.getInteger("replicationFactor", 1).shortValue(),
        kafka.getLong("retentionMs", SEVEN_DAYS_MS), kafka.getString("groupSuffix", ""),
        kafka.getJsonObject("producer", new JsonObject()), kafka.getJsonObject("consumer", new JsonObject()),
        kafka.getJsonObject("admin", new JsonObject()));
  }

  /** An idempotent producer that waits for every in-sync replica: a record acknowledged is a record kept. */
  public Map<String, String> producerConfig(String clientId) {
    Map<String, String> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Latency first: no linger; records of one relay batch still share requests while earlier ones are in flight.
    config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
    // A send must not wait for metadata long: the relay retries the whole batch itself.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    putAll(config, producer);
    return config;
  }

  /**
   * A consumer in a group that commits by hand, only after the work for the records is done. A member that dies
   * (SIGKILL, a lost host) holds its partitions until the group's session timeout: 6 s here (the broker's smallest by
   * default, {@code group.min.session.timeout.ms}) with a heartbeat every 1.5 s, instead of Kafka's 45 s, so the
   * audit and webhook consumers of the other nodes take them over within 10 s (ConsumersTakeOverAKilledNodeTest).
   * Static membership would not help (a static member keeps its partitions for the session timeout too, which is
   * what it is for), and Kafka 4's consumer protocol ({@code group.protocol=consumer}) takes its session timeout from
   * the broker ({@code group.consumer.session.timeout.ms}, at least 45 s unless the broker is configured otherwise).
   *
   * <p>The groups (audit, webhooks, Spring Cloud Bus) are on no subscriber's path: the broker answers their fetches
   * when {@link #GROUP_FETCH_MIN_BYTES} wait or after {@link #GROUP_FETCH_MAX_WAIT_MS}, instead of at the first
   * record, so that at a thousand changes a second each group asks about twice a second instead of at every relay
   * batch. A change reaches them up to half a second later; the propagation reader ({@link #readerConfig}) stays
   * latency-first.
   */
  public Map<String, String> consumerConfig(String group, String clientId) {
    Map<String, String> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group + groupSuffix);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(SESSION_TIMEOUT_MS));
    config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(SESSION_TIMEOUT_MS / 4));
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, String.valueOf(GROUP_FETCH_MAX_WAIT_MS));
    config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, String.valueOf(GROUP_FETCH_MIN_BYTES));
    putAll(config, consumer);
    if ("consumer".equalsIgnoreCase(config.get("group.protocol"))) {
      // the broker decides both under the consumer protocol; the client refuses to start when they are set
      config.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
      config.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
    }
    return config;
  }

  /**
   * A consumer outside any group that reads every partition itself (manual assignment), so that every
   * node sees every change; it keeps no offsets.
   */
  public Map<String, String> readerConfig(String clientId) {
    Map<String, String> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    putAll(config, consumer);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    return config;
  }

  public Map<String, String> adminConfig(String clientId) {
    Map<String, String> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    putAll(config, admin);
    return config;
  }

  private static void putAll(Map<String, String> config, JsonObject overrides) {
    overrides.forEach(entry -> config.put(entry.getKey(), String.valueOf(entry.getValue())));
  }
}
