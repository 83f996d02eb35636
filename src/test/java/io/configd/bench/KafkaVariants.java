package io.configd.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code propagation --linger L,... --fetch-wait F,...}: the propagation scenario once per pair of the producer's
 * {@code linger.ms} and the consumers' {@code fetch.max.wait.ms}, each on a fresh node of its own started with a
 * copy of the node's configuration file that sets them ({@code kafka.producer}, {@code kafka.consumer}), and warmed
 * by the scenario's warm-up; then the pairs side by side: propagation p99 from the PUT's 200 and the two Kafka hops.
 */
final class KafkaVariants {

  private KafkaVariants() {
  }

  record Variant(Integer lingerMs, Integer fetchWaitMs) {
    String label() {
      return "linger.ms " + (lingerMs == null ? "default" : lingerMs) + ", fetch.max.wait.ms "
          + (fetchWaitMs == null ? "default" : fetchWaitMs);
    }

    String name() {
      return "l" + (lingerMs == null ? "d" : lingerMs) + "f" + (fetchWaitMs == null ? "d" : fetchWaitMs);
    }
  }

  static List<Variant> of(BenchOptions options) {
    List<Integer> lingers = options.lingers() == null ? java.util.Collections.singletonList(null) : options.lingers();
    List<Integer> waits = options.fetchWaits() == null ? java.util.Collections.singletonList(null) : options.fetchWaits();
    List<Variant> variants = new ArrayList<>();
    for (Integer linger : lingers) {
      for (Integer wait : waits) {
        variants.add(new Variant(linger, wait));
      }
    }
    return variants;
  }

  /** Runs every variant at every subscriber count; returns whether every change of every run was delivered. */
  static boolean run(Vertx vertx, BenchOptions options, Report report, String run) throws IOException {
    boolean ok = true;
    List<String[]> rows = new ArrayList<>();
    JsonObject json = new JsonObject();
    for (Variant variant : of(options)) {
      Path conf = conf(options, variant, run);
      NodeUnderTest node = NodeUnderTest.start(vertx, options, options.out().resolve("node-" + run + "-" + variant.name()
          + ".log"), options.schema() + "-" + variant.name(), Map.of("CONFIGD_CONF", conf.toString()));
      try {
        report.otherNode(node.description());
        for (int n : options.subscriberCounts()) {
          PropagationScenario propagation = new PropagationScenario(vertx, List.of(node),
              options.with(n, options.writeConcurrency()));
          String name = "propagation-" + n + "-" + variant.name();
          System.out.println();
          System.out.println("-- " + variant.label() + ", " + n + " subscribers");
          ok &= propagation.run(report, name);
          JsonObject result = propagation.result;
          JsonObject hops = result.getJsonObject("hops", new JsonObject());
          rows.add(new String[] {variant.label(), String.format(Locale.ROOT, "%,d", n),
              p(result.getJsonObject("latencyMs").getJsonObject("fromPutAnswer"), "p50"),
              p(result.getJsonObject("latencyMs").getJsonObject("fromPutAnswer"), "p99"),
              p(hops.getJsonObject("notifyToSent"), "p99"), p(hops.getJsonObject("sentToConsumed"), "p99")});
          json.put(name, new JsonObject().put("lingerMs", variant.lingerMs()).put("fetchMaxWaitMs", variant.fetchWaitMs())
              .put("subscribers", n).put("fromPutAnswer", result.getJsonObject("latencyMs").getJsonObject("fromPutAnswer"))
              .put("hops", hops));
        }
      } finally {
        node.stop();
      }
    }
    System.out.println();
    System.out.println("== Kafka settings side by side, each on a fresh node warmed alike  (load " + Report.loadAverage()
        + ")");
    String format = "  %-44s %12s %10s %10s %12s %12s%n";
    System.out.printf(format, "variant", "subscribers", "p50 ms", "p99 ms", "relay p99", "Kafka p99");
    rows.forEach(row -> System.out.printf(format, (Object[]) row));
    report.json.put("kafkaVariants", json);
    return ok;
  }

  private static String p(JsonObject figures, String name) {
    Double value = figures == null ? null : figures.getDouble(name);
    return value == null ? "-" : Report.ms(value);
  }

  /** The node's configuration file with the variant's Kafka client properties set, written beside the figures. */
  private static Path conf(BenchOptions options, Variant variant, String run) throws IOException {
    Path source = Path.of(System.getenv().getOrDefault("CONFIGD_CONF", "conf/configd.json"));
    JsonObject config = new JsonObject(Files.readString(source));
    JsonObject kafka = config.getJsonObject("kafka");
    if (variant.lingerMs() != null) {
      kafka.put("producer", kafka.getJsonObject("producer", new JsonObject()).copy().put("linger.ms", variant.lingerMs()));
    }
    if (variant.fetchWaitMs() != null) {
      kafka.put("consumer", kafka.getJsonObject("consumer", new JsonObject()).copy()
          .put("fetch.max.wait.ms", variant.fetchWaitMs()));
    }
    Files.createDirectories(options.out());
    Path file = options.out().resolve("conf-" + run + "-" + variant.name() + ".json");
    Files.writeString(file, config.encodePrettily() + "\n");
    return file;
  }
}
