package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Spring Cloud Config answers built from configd values")
class SpringEnvironmentTest {

  private static Map<String, Object> props(Object... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private final SpringEnvironment environment = new SpringEnvironment("payment", List.of("staging", "production"), null, 42,
      List.of(
          new SpringEnvironment.Source("configd:payment-production", props("pool-size", 16, "db.url", "jdbc:prod")),
          new SpringEnvironment.Source("configd:application-production", props("pool-size", 4, "logging.level.root", "warn")),
          new SpringEnvironment.Source("configd:payment-staging", props("db.url", "jdbc:staging", "hosts[0]", "a", "hosts[1]", "b",
              "note", "a: b\n#not a comment"))));

  @Test
  @DisplayName("the Environment JSON lists the sources highest first, with the revision as its version")
  void environmentJson() {
    JsonObject json = environment.toJson();
    assertThat(json.getString("name")).isEqualTo("payment");
    assertThat(json.getJsonArray("profiles")).containsExactly("staging", "production");
    assertThat(json.getString("version")).isEqualTo("42");
    assertThat(json.containsKey("label")).isTrue();
    assertThat(json.containsKey("state")).isTrue();
    assertThat(json.getJsonArray("propertySources").getJsonObject(0).getString("name")).isEqualTo("configd:payment-production");
    assertThat(json.getJsonArray("propertySources").getJsonObject(0).getJsonObject("source").getInteger("pool-size")).isEqualTo(16);
  }

  @Test
  @DisplayName(".properties holds each property once, the first source winning, and reads back with java.util.Properties")
  void properties() throws Exception {
    Properties read = new Properties();
    read.load(new StringReader(environment.toProperties()));
    assertThat(read).containsEntry("pool-size", "16").containsEntry("db.url", "jdbc:prod")
        .containsEntry("logging.level.root", "warn").containsEntry("hosts[1]", "b")
        .containsEntry("note", "a: b\n#not a comment").hasSize(6);
  }

  @Test
  @DisplayName(".json and .yml nest the merged properties, arrays included")
  void nested() {
    JsonObject nested = environment.toNestedJson();
    assertThat(nested.getJsonObject("db").getString("url")).isEqualTo("jdbc:prod");
    assertThat(nested.getJsonArray("hosts")).isEqualTo(new JsonArray().add("a").add("b"));
    assertThat(nested.getJsonObject("logging").getJsonObject("level").getString("root")).isEqualTo("warn");
    assertThat(environment.toYaml()).isEqualTo("""
        db:
          url: "jdbc:prod"
        hosts:
        - "a"
        - "b"
        logging:
          level:
            root: "warn"
        note: "a: b\\n#not a comment"
        pool-size: 16
        """);
  }

  @Test
  @DisplayName("lists of objects and keys YAML would misread are written so that they read back as they were")
  void yamlEdges() {
    SpringEnvironment edges = new SpringEnvironment("x", List.of("production"), null, 1, List.of(new SpringEnvironment.Source("s",
        props("servers[0].host", "h1", "servers[0].port", 1, "servers[1].host", "h2", "flags.on", true))));
    assertThat(edges.toYaml()).isEqualTo("""
        flags:
          "on": true
        servers:
        - host: "h1"
          port: 1
        - host: "h2"
        """);
  }
}
