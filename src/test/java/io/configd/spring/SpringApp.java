package io.configd.spring;

import io.configd.Eventually;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Spring Boot application from examples/NAME, run in a JVM of its own with that module's class path (built by
 * mvn -f parent/pom.xml verify before the server's tests): its own Spring, its own logging, nothing of the
 * server's. Its output goes to target/spring-apps/NAME-N.log.
 */
final class SpringApp implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final String name;
  private final int port;
  private final Path log;
  private final Process process;

  private SpringApp(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Starts examples/{example}'s {@code mainClass} on {@code port} with these Spring arguments (--name=value). */
  static SpringApp start(String example, String mainClass, int port, List<String> arguments) {
    return start(example, mainClass, port, arguments, List.of());
  }

  /** The same, without the jars whose file names start with one of {@code leftOut} (the app as if it did not depend on them). */
  static SpringApp start(String example, String mainClass, int port, List<String> arguments, List<String> leftOut) {
    Path module = Path.of("examples", example);
    Path classes = module.resolve("target/classes");
    Path classpath = module.resolve("target/classpath.txt");
    if (!Files.isRegularFile(classpath) || !Files.isDirectory(classes)) {
      throw new IllegalStateException(module + " is not built (no " + classpath + "): run bin/test, or "
          + "mvn -f parent/pom.xml verify, which builds the examples before the server's tests");
    }
    try {
      File dir = new File("target/spring-apps");
      dir.mkdirs();
      Path log = dir.toPath().resolve(example + "-" + RUNS.incrementAndGet() + ".log");
      List<String> jars = java.util.Arrays.stream(Files.readString(classpath).trim().split(File.pathSeparator))
          .filter(jar -> leftOut.stream().noneMatch(name -> Path.of(jar).getFileName().toString().startsWith(name)))
          .toList();
      List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-Xmx256m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
          classes.toAbsolutePath() + File.pathSeparator + String.join(File.pathSeparator, jars), mainClass,
          "--server.port=" + port, "--server.address=127.0.0.1"));
      command.addAll(arguments);
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().keySet().removeIf(variable -> variable.startsWith("CONFIGD_") || variable.startsWith("SPRING_"));
      builder.redirectErrorStream(true).redirectOutput(log.toFile());
      return new SpringApp(example, port, log, builder.start());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + example, e);
    }
  }

  /** Waits until the app answers HTTP (any status), or fails with the end of its log when it exits first. */
  SpringApp awaitUp(Duration timeout) {
    Eventually.await(name + " to answer on port " + port + " (log " + log + ")", timeout, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      return status("/actuator/health") > 0;
    });
    return this;
  }

  /** Waits for the process to end by itself; its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " is still running after " + timeout + ":\n" + logTail());
    }
    return process.exitValue();
  }

  JsonObject getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body());
  }

  int post(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  private int status(String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGTERM, as an orchestrator stops a service: Spring closes its context (and the starter its client). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
