package io.configd.chaos;

import io.configd.TestServices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker of the run's own (combined broker and controller, KRaft, from bin/services' jars, as
 * {@code KafkaBroker} does for the tests), listening on the services bridge so the nodes in their namespaces
 * reach it. The chaos run kills it with SIGKILL and starts it again on the same ports and data.
 */
final class ChaosKafka implements AutoCloseable {

  private final Path dir;
  private final String host;
  private final int port;
  private Process process;

  ChaosKafka(Path dir, String host, int port, int controllerPort) {
    this.dir = dir;
    this.host = host;
    this.port = port;
    format(controllerPort);
  }

  String bootstrapServers() {
    return host + ":" + port;
  }

  void start() {
    try {
      process = java("kafka.Kafka", dir.resolve("server.properties").toString()).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Waits.until("the run's Kafka broker on " + bootstrapServers() + " (log: " + dir.resolve("broker.log") + ")", 90,
        () -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("the broker exited with " + process.exitValue());
          }
          return accepts();
        });
  }

  /** SIGKILL: no controlled shutdown, the next start recovers its logs. */
  void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void format(int controllerPort) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("server.properties"), """
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
          "-c", dir.resolve("server.properties").toString(), "--standalone").start();
      if (!format.waitFor(90, TimeUnit.SECONDS) || format.exitValue() != 0) {
        throw new IllegalStateException("formatting Kafka storage in " + dir + " failed; see " + dir.resolve("broker.log"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + Path.of("bin", "kafka", "log4j2.properties").toAbsolutePath(),
        "-cp", Path.of(TestServices.kafkaLibs()).resolve("*").toString(), mainClass));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    kill();
  }
}
