package io.configd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker of a test's own (combined broker and controller, KRaft), from the jars bin/services uses,
 * in a child JVM on spare ports with its own data directory. A fault test stops it (SIGTERM, as an operator
 * would) and restarts it on the same ports and data, so topics and committed offsets survive like they would in
 * production; the chaos run kills it (SIGKILL) and restarts it the same way, listening on its services bridge.
 */
public final class KafkaBroker implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final Path properties;
  private final Path log;
  private final String host;
  private final int port;
  private final ServerProcess server;

  private KafkaBroker(Path dir, String host, int port) {
    this.dir = dir;
    this.properties = dir.resolve("server.properties");
    this.log = dir.resolve("broker.log");
    this.host = host;
    this.port = port;
    this.server = new ServerProcess("the test's Kafka broker", java("kafka.Kafka", properties.toString()), host, port);
  }

  /** Formats a fresh data directory for {@code name} and starts the broker on loopback; returns once its port accepts. */
  public static KafkaBroker start(String name) {
    Path dir = Path.of("target", "kafka-" + name).toAbsolutePath();
    deleteRecursively(dir);
    return start(dir, "127.0.0.1", TestServices.freePort(), TestServices.freePort());
  }

  /**
   * Formats {@code dir} and starts a broker listening on {@code host} (its controller stays on loopback); returns
   * once its port accepts.
   */
  public static KafkaBroker start(Path dir, String host, int port, int controllerPort) {
    KafkaBroker broker = new KafkaBroker(dir, host, port);
    broker.format(controllerPort);
    broker.startProcess();
    return broker;
  }

  public String bootstrapServers() {
    return host + ":" + port;
  }

  public boolean isRunning() {
    return server.isAlive();
  }

  /** SIGTERM, then waits for the broker to exit (it shuts down cleanly in a few seconds). */
  public void stop() {
    server.stop();
  }

  /** SIGKILL: no controlled shutdown, the next start recovers its logs. */
  public void kill() {
    server.kill();
  }

  /** Starts the broker again on the same ports and data directory (after a stop or a kill, or stopping it first). */
  public void restart() {
    stop();
    startProcess();
  }

  @Override
  public void close() {
    stop();
  }

  private void format(int controllerPort) {
    try {
      Files.createDirectories(dir);
      Files.writeString(properties, """
          process.roles=broker,controller
          node.id=1
          controller.quorum.bootstrap.servers=127.0.0.1:%2$d
          listeners=PLAINTEXT://%4$s:%1$d,CONTROLLER://127.0.0.1:%2$d
          advertised.listeners=PLAINTEXT://%4$s:%1$d
          controller.listener.names=CONTROLLER
          inter.broker.listener.name=PLAINTEXT
          listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
          log.dirs=%3$s
          num.partitions=10
          auto.create.topics.enable=false
          offsets.topic.replication.factor=1
          offsets.topic.num.partitions=3
          transaction.state.log.replication.factor=1
          transaction.state.log.min.isr=1
          transaction.state.log.num.partitions=1
          share.coordinator.state.topic.replication.factor=1
          share.coordinator.state.topic.min.isr=1
          group.initial.rebalance.delay.ms=0
          """.formatted(port, controllerPort, dir.resolve("data"), host));
      Process format = java("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
          "-c", properties.toString(), "--standalone").start();
      if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
        throw new IllegalStateException("formatting Kafka storage in " + dir + " failed; see " + log + ":\n" + tail());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void startProcess() {
    try {
      server.start(START_TIMEOUT);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("the test's Kafka broker did not start on " + bootstrapServers() + " ("
          + e.getMessage() + "); " + log + ":\n" + tail(), e);
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + Path.of("bin", "kafka", "log4j2.properties").toAbsolutePath(),
        "-cp", Path.of(TestServices.kafkaLibs()).resolve("*").toString(),
        mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
  }

  private String tail() {
    try {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read the log: " + e + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
