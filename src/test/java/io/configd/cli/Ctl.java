package io.configd.cli;

import io.configd.TestNode;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Runs configdctl in this process against a test node, with its own environment, standard input and output. */
final class Ctl {

  /** What one command line did. */
  record Run(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private final Map<String, String> environment = new HashMap<>();

  Ctl(TestNode node) {
    this("http://127.0.0.1:" + node.port(), node.adminToken());
  }

  Ctl(String url, String token) {
    environment.put("CONFIGD_URL", url);
    if (token != null) {
      environment.put("CONFIGD_TOKEN", token);
    }
  }

  Run run(String... args) {
    return runWithInput("", args);
  }

  Run runWithInput(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Configdctl.run(args, environment, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }
}
