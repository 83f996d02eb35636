package io.configd.metrics;

import io.configd.auth.RateLimits;
import io.configd.bridge.BridgeStats;
import io.configd.model.Addresses;
import io.configd.stream.KafkaSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The node's metrics in one Prometheus registry: Vert.x's own (HTTP, event bus, pools, JVM) when the node's Vert.x was
 * built with {@link #vertxOptions} and {@link #vertxMetrics} on the same registry, and configd's, named
 * {@code configd_*}. Most of configd's are read at scrape time from the node-local stats addresses, so no verticle
 * shares its state and the read path is not touched; the propagation lag is recorded by the bridge's fan-out, once
 * per change and subscribed address, after the last socket of that address was written.
 */
public final class NodeMetrics {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(2_000);
  /** Buckets of the propagation lag: a change reaches sockets in milliseconds, or seconds when Kafka lags. */
  private static final Duration[] LAG_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Timer propagationLag;
  private ConsumerLag consumerLag;
  /** Micrometer holds what a meter reads weakly: these are held here for as long as the node runs. */
  private final StatsMeters publisherMeters;
  private final StatsMeters cacheMeters;
  private final StatsMeters propagationMeters;
  private volatile JsonObject publisher = new JsonObject();
  private volatile JsonObject cache = new JsonObject();
  private volatile JsonObject propagation = new JsonObject();

  private NodeMetrics(Vertx vertx, PrometheusMeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    this.propagationLag = Timer.builder("configd.propagation.lag")
        .description("From a change's commit to its write on the sockets subscribed to it (one sample per change, "
            + "subscribed address and event loop)")
        .serviceLevelObjectives(LAG_BUCKETS).minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    this.publisherMeters = new StatsMeters(registry, () -> publisher);
    this.cacheMeters = new StatsMeters(registry, () -> cache);
    this.propagationMeters = new StatsMeters(registry, () -> propagation);
  }

  /** A registry for a node and its Vert.x. */
  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /** Turns Vert.x's metrics on in {@code options}: HTTP (server requests only if the settings say so), event bus, pools, JVM. */
  public static VertxOptions vertxOptions(VertxOptions options, MetricsSettings settings) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    if (!settings.httpServerRequests()) {
      metrics.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    }
    return options.setMetricsOptions(metrics);
  }

  public static VertxMetricsFactory vertxMetrics(MeterRegistry registry) {
    return new MicrometerMetricsFactory(registry);
  }

  /** Built by the node before the verticles; {@link #bind} adds what reads them once they exist. */
  public static NodeMetrics create(Vertx vertx, PrometheusMeterRegistry registry) {
    return new NodeMetrics(vertx, registry);
  }

  /** The histogram the bridge's fan-out records into. */
  public Timer propagationLag() {
    return propagationLag;
  }

  /**
   * Registers configd's meters.
   *
   * @param groups the audit and notification consumer groups' full names
   */
  public void bind(BridgeStats bridge, RateLimits limits, BooleanSupplier ready, KafkaSettings kafka, String nodeName,
                   List<String> groups) {
    bindBridge(bridge);
    bindRateLimits(limits);
    bindPublisher();
    bindPropagation();
    bindCache();
    Gauge.builder("configd.node.ready", ready, supplier -> supplier.getAsBoolean() ? 1 : 0)
        .description("1 while every verticle of the node is deployed").strongReference(true).register(registry);
    consumerLag = new ConsumerLag(vertx, kafka, "configd-metrics-" + nodeName, groups, registry);
  }

  /** The instances connected to this node (bridge sockets and watch streams that named one, recent HTTP readers). */
  public void bindInstances(io.configd.instances.InstanceBook book) {
    Gauge.builder("configd.instances", book, io.configd.instances.InstanceBook::size)
        .description("Instances connected to this node that named themselves (hello, or a read's instance parameter)")
        .register(registry);
  }

  private void bindBridge(BridgeStats bridge) {
    for (String transport : BridgeStats.TRANSPORTS) {
      Gauge.builder("configd.bridge.sockets", bridge, stats -> stats.sockets(transport))
          .description("Connected subscribers (bridge sockets and SSE streams) by transport")
          .tag("transport", transport).register(registry);
    }
    Gauge.builder("configd.bridge.subscriptions", bridge, BridgeStats::subscriptions)
        .description("Addresses registered by the node's subscribers").register(registry);
    FunctionCounter.builder("configd.bridge.delivered", bridge, BridgeStats::delivered)
        .description("Changes written to subscribers' sockets").register(registry);
    FunctionCounter.builder("configd.bridge.slow.closed", bridge, BridgeStats::slowClosed)
        .description("Subscribers closed because their write queue was full").register(registry);
    FunctionCounter.builder("configd.bridge.refused", bridge, BridgeStats::refused)
        .description("Bridge frames refused").register(registry);
  }

  private void bindRateLimits(RateLimits limits) {
    for (RateLimits.Limit limit : RateLimits.Limit.values()) {
      FunctionCounter.builder("configd.rate.limit.refusals", limits, l -> l.refusals(limit))
          .description("Requests refused with 429 by a rate limit").tag("limit", limit.label()).register(registry);
    }
  }

  private void bindPublisher() {
    publisherMeters
        .counter("configd.publisher.relayed", "Changes relayed to Kafka by this node (rate() is the relay rate)",
            "relayed")
        .gauge("configd.publisher.backlog", "Committed changes not yet acknowledged by Kafka", "changes",
            "backlog.size", 1)
        .flag("configd.publisher.leader", "1 on the node that relays (holds the advisory lock)", "leader", true);
    Gauge.builder("configd.publisher.backlog.age", publisherMeters, meters -> {
      double size = meters.number("backlog.size");
      return size == 0 ? 0 : meters.number("backlog.oldestAgeMs") / 1000.0;
    }).description("Age of the oldest change not yet acknowledged by Kafka (0 without backlog)").baseUnit("seconds")
        .register(registry);
    for (String state : new String[] {"CHECKING_TOPIC", "IDLE", "RELAYING", "BACKING_OFF"}) {
      publisherMeters.flag("configd.publisher.state", "The relay's state", "state", state,
          "state", state);
    }
  }

  private void bindPropagation() {
    propagationMeters
        .counter("configd.propagation.published", "Changes read from Kafka and published to this node's subscribers",
            "published")
        .counter("configd.propagation.duplicates", "Changes read again from Kafka and dropped by revision", "duplicates");
  }

  private void bindCache() {
    StatsMeters meters = cacheMeters;
    for (String tier : new String[] {"near", "redis"}) {
      meters.counter("configd.cache.requests", "Reads answered (hit) or not (miss) by a cache tier", tier + ".hits",
              "tier", tier, "result", "hit")
          .counter("configd.cache.requests", "Reads answered (hit) or not (miss) by a cache tier", tier + ".misses",
              "tier", tier, "result", "miss");
    }
    meters.counter("configd.cache.postgresql.reads", "Reads that went to PostgreSQL", "postgresql.reads")
        .counter("configd.cache.redis.errors", "Redis reads that failed or timed out", "redis.errors")
        .counter("configd.cache.stale.served", "Answers served from a cache while PostgreSQL was unreachable",
            "fallbacks.staleServed")
        .gauge("configd.cache.near.size", "Entries in the near cache", "entries", "near.size", 1)
        .flag("configd.postgresql.up", "1 while the node's last contact with PostgreSQL succeeded", "postgresql.up", true)
        .counter("configd.redis.breaker.opened", "Times the Redis circuit breaker opened", "redis.breaker.timesOpened");
    for (String state : new String[] {"CLOSED", "OPEN", "HALF_OPEN"}) {
      meters.flag("configd.redis.breaker.state", "The Redis circuit breaker's state (1 for the current one)",
          "redis.breaker.state", state, "state", state);
    }
  }

  /** Refreshes what the meters read, then renders every meter in the Prometheus text format. */
  public Future<String> scrape() {
    Future<Void> lag = consumerLag == null ? Future.succeededFuture() : consumerLag.refresh();
    return Future.join(ask(Addresses.PUBLISHER_STATUS).onComplete(done -> publisher = answer(done.result())),
            ask(Addresses.CACHE_STATS).onComplete(done -> cache = answer(done.result())),
            ask(Addresses.PROPAGATION_STATS).onComplete(done -> propagation = answer(done.result())), lag)
        .transform(refreshed -> Future.succeededFuture(registry.scrape()));
  }

  private Future<JsonObject> ask(String address) {
    return vertx.eventBus().<JsonObject>request(address, null, LOCAL).map(reply -> reply.body());
  }

  private static JsonObject answer(JsonObject body) {
    return body == null ? new JsonObject() : body;
  }

  public Future<Void> close() {
    return consumerLag == null ? Future.succeededFuture() : consumerLag.close();
  }
}
