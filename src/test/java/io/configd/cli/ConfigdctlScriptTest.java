package io.configd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestNodeExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** bin/configdctl as an operator runs it: the runnable jar, CONFIGD_URL and CONFIGD_TOKEN, standard input, exit codes. */
@DisplayName("bin/configdctl")
class ConfigdctlScriptTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("ConfigdctlScriptTest");

  private record Result(int exitCode, String out, String err) {
  }

  private static Result run(String stdin, String... args) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new java.util.ArrayList<>(List.of("bin/configdctl")));
    builder.command().addAll(List.of(args));
    builder.directory(Path.of(System.getProperty("user.dir")).toFile());
    builder.environment().put("CONFIGD_URL", "http://127.0.0.1:" + NODE.node().port());
    builder.environment().put("CONFIGD_TOKEN", NODE.node().adminToken());
    Process process = builder.start();
    process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out, err);
  }

  @Test
  @DisplayName("reads the node and token from the environment, a value from standard input, and exits 0, 2 or 4")
  void asAProcess() throws Exception {
    Result put = run("{\"replicas\": 3}", "put", "-e", "production", "script.app", "-");
    assertThat(put.exitCode()).as(put.err()).isZero();
    assertThat(put.out()).contains("created script.app in production: version 1");
    Result got = run("", "get", "-e", "production", "script.app", "-o", "json");
    assertThat(got.exitCode()).isZero();
    assertThat(got.out()).contains("\"replicas\":3");
    assertThat(run("", "get", "-e", "production", "script.none").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(run("", "get", "-e", "production", "script.app", "--token", "cfd_" + "x".repeat(43)).exitCode())
        .isEqualTo(ExitCode.AUTH);
    assertThat(run("", "--version").out()).contains("configdctl");
  }
}
