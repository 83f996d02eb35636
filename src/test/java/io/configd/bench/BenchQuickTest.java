package io.configd.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark harness from rotting: runs `bench --quick` for propagation, reads through the near cache
 * and writes as a child process (which starts its node as a grandchild), and checks that figures came out, every
 * change was delivered and the reads were answered by the tier they claim. It asserts nothing about speed: this machine is shared, and speed is BENCHMARKS.md's job.
 */
@DisplayName("The benchmark harness")
class BenchQuickTest {

  private static final String SCHEMA = TestServices.isolated("bench_quick_test");

  @Test
  @DisplayName("a quick propagation, near-cache reads and writes run produces every figure, delivers every change to "
      + "every subscriber and reads from the tier it claims")
  void quickRunProducesFigures() throws Exception {
    TestServices.dropSchema(SCHEMA);
    Path out = Path.of("target", "bench-quick-test");
    deleteJson(out);
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path log = Files.createDirectories(out).resolve("bench.out");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", classpath, Bench.class.getName(), "propagation,reads,writes", "--quick", "--variants", "hot",
        "--schema", SCHEMA, "--out", out.toString(), "--node-classpath", classpath)
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("CONFIGD_PG_URI", TestServices.pgUri());
    builder.environment().put("CONFIGD_REDIS_URI", TestServices.redisUri());
    builder.environment().put("CONFIGD_KAFKA_BOOTSTRAP_SERVERS", TestServices.kafkaBootstrapServers());
    builder.environment().put("CONFIGD_JAVA_OPTS", "-Xmx512m -XX:+UseG1GC");
    Process bench = builder.start();
    // A bound so that a hung run fails the build instead of blocking it; not a speed assertion.
    boolean exited = bench.waitFor(10, TimeUnit.MINUTES);
    if (!exited) {
      bench.destroy();
      bench.waitFor(60, TimeUnit.SECONDS);
    }
    String output = Files.readString(log);
    System.out.println(output);
    assertThat(exited).as("bench exited; its output:\n%s", output).isTrue();
    assertThat(bench.exitValue()).as("bench exit status; its output:\n%s", output).isZero();

    JsonObject figures = new JsonObject(Files.readString(onlyJson(out)));
    JsonObject propagation = figures.getJsonObject("scenarios").getJsonObject("propagation");
    assertThat(propagation.getLong("expected")).isPositive();
    assertThat(propagation.getLong("delivered")).isEqualTo(propagation.getLong("expected"));
    assertThat(propagation.getBoolean("complete")).isTrue();
    assertThat(propagation.getLong("duplicates")).isZero();
    JsonObject latency = propagation.getJsonObject("latencyMs");
    for (String figure : List.of("fromPutAnswer", "fromPutSend", "fromIntendedSend")) {
      assertThat(latency.getJsonObject(figure).getLong("count")).as(figure).isEqualTo(propagation.getLong("expected"));
      assertThat(latency.getJsonObject(figure).getDouble("p99")).as(figure).isNotNull();
    }
    assertThat(propagation.getJsonObject("memory").getLong("heapBytesPerSubscriber")).isNotNull();

    JsonObject hot = figures.getJsonObject("scenarios").getJsonObject("reads").getJsonObject("variants")
        .getJsonObject("hot");
    assertThat(hot.getLong("ok")).isPositive();
    assertThat(hot.getLong("errors")).isZero();
    assertThat(hot.getBoolean("tierVerified")).as(hot.getString("tierCheck")).isTrue();
    assertThat(hot.getJsonObject("cacheDelta").getJsonObject("near").getLong("hits")).isPositive();
    assertThat(hot.getJsonObject("latencyMs").getDouble("p99")).isNotNull();

    JsonObject writes = figures.getJsonObject("scenarios").getJsonObject("writes");
    assertThat(writes.getLong("ok")).isPositive();
    assertThat(writes.getLong("errors")).isZero();
    assertThat(writes.getJsonObject("latencyMs").getDouble("p99")).isNotNull();
    assertThat(figures.getJsonObject("machine").getInteger("cores")).isPositive();
    assertThat(figures.getString("command")).contains("--quick");
  }

  private static Path onlyJson(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
      assertThat(json).hasSize(1);
      return json.get(0);
    }
  }

  private static void deleteJson(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
    }
  }
}
