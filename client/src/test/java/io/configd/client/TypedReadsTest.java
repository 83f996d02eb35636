package io.configd.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.model.ConfigValue;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Typed reads of configuration values")
class TypedReadsTest {

  record Pool(String url, int maxSize, String timeout) {
  }

  private final ConfigReader reader = new ConfigReader() {
    private final Map<String, Object> values = Map.of(
        "port", 8080,
        "port-text", "8081",
        "big", 9_000_000_000L,
        "ratio", 1.5,
        "enabled", true,
        "enabled-text", "FALSE",
        "name", "payment",
        "timeout-iso", "PT30S",
        "timeout-simple", "500ms",
        "pool", new JsonObject().put("url", "postgres://db").put("maxSize", 8).put("timeout", "PT2S"));

    @Override
    public String env() {
      return "production";
    }

    @Override
    public Optional<Object> find(String key) {
      if (key.equals("hosts")) {
        return Optional.of(new JsonArray(List.of("a", "b")));
      }
      return Optional.ofNullable(values.get(key));
    }

    @Override
    public Set<String> keys() {
      return values.keySet();
    }

    @Override
    public ListenerHandle onChange(String prefixOrKey, Consumer<ConfigValue> listener) {
      return () -> { };
    }

    @Override
    public ListenerHandle onChanges(String prefixOrKey, Consumer<List<ConfigValue>> listener) {
      return () -> { };
    }
  };

  @Test
  @DisplayName("numbers, booleans and strings read as the type asked, from JSON values or their text")
  void scalars() {
    assertThat(reader.getInt("port")).isEqualTo(8080);
    assertThat(reader.getInt("port-text")).isEqualTo(8081);
    assertThat(reader.getLong("big")).isEqualTo(9_000_000_000L);
    assertThat(reader.getBoolean("enabled")).isTrue();
    assertThat(reader.getBoolean("enabled-text")).isFalse();
    assertThat(reader.getString("name")).isEqualTo("payment");
    assertThat(reader.getString("port")).isEqualTo("8080");
  }

  @Test
  @DisplayName("durations read from ISO-8601 and from a number with a unit")
  void durations() {
    assertThat(reader.getDuration("timeout-iso")).isEqualTo(Duration.ofSeconds(30));
    assertThat(reader.getDuration("timeout-simple")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThatThrownBy(() -> reader.getDuration("name")).isInstanceOf(ConfigValueException.class)
        .hasMessageContaining("not a duration").hasMessageContaining("30s");
  }

  @Test
  @DisplayName("JSON objects and arrays read as copies, and an object maps to a record")
  void json() {
    JsonObject pool = reader.getJsonObject("pool");
    pool.put("url", "changed");
    assertThat(reader.getJsonObject("pool").getString("url")).isEqualTo("postgres://db");
    assertThat(reader.getJsonArray("hosts")).containsExactly("a", "b");
    assertThat(reader.get("pool", Pool.class)).isEqualTo(new Pool("postgres://db", 8, "PT2S"));
    assertThat(reader.get("port", Integer.class)).isEqualTo(8080);
  }

  @Test
  @DisplayName("a missing key throws, or gives the default or an empty Optional")
  void missing() {
    assertThatThrownBy(() -> reader.getString("absent")).isInstanceOf(ConfigValueException.class)
        .hasMessage("absent has no value in production");
    assertThat(reader.getInt("absent", 7)).isEqualTo(7);
    assertThat(reader.getDuration("absent", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    assertThat(reader.findBoolean("absent")).isEmpty();
    assertThat(reader.find("absent", Pool.class)).isEmpty();
  }

  @Test
  @DisplayName("a value that does not fit the type throws a clear exception, even when a default is given")
  void mismatches() {
    assertThatThrownBy(() -> reader.getInt("ratio")).isInstanceOf(ConfigValueException.class)
        .hasMessageContaining("ratio in production is a number (1.5)");
    assertThatThrownBy(() -> reader.getInt("big")).hasMessageContaining("outside the range of an int");
    assertThatThrownBy(() -> reader.getInt("name", 3)).hasMessageContaining("is a string (payment), not a whole number");
    assertThatThrownBy(() -> reader.getBoolean("name")).hasMessageContaining("not true or false");
    assertThatThrownBy(() -> reader.getString("pool")).hasMessageContaining("is a JSON object");
    assertThatThrownBy(() -> reader.getJsonObject("hosts")).hasMessageContaining("is a JSON array");
    assertThatThrownBy(() -> reader.get("name", Pool.class)).isInstanceOf(ConfigValueException.class);
    assertThatThrownBy(() -> reader.get("hosts", Pool.class)).hasMessageContaining("not a JSON object");
  }

  @Test
  @DisplayName("an object that does not map to the record throws a clear exception")
  void unmappable() {
    record Strict(int url) {
    }
    assertThatThrownBy(() -> reader.get("pool", Strict.class)).isInstanceOf(ConfigValueException.class)
        .hasMessageContaining("pool in production does not map to Strict");
  }

  enum Mode { PRIMARY, READ_REPLICA }

  record Replica(String host, int port) {
  }

  record Database(String url, int poolSize, Duration timeout, Mode mode, List<Replica> replicas,
                  Map<String, Integer> weights, java.util.Optional<String> schema, Boolean readOnly) {
  }

  @Test
  @DisplayName("an object maps to a nested record with kebab-case or camelCase members, durations, enums, lists and maps")
  void nestedRecord() {
    JsonObject json = new JsonObject().put("url", "postgres://db").put("pool-size", "12").put("timeout", "2s")
        .put("mode", "read-replica")
        .put("replicas", new JsonArray().add(new JsonObject().put("host", "r1").put("port", 5432)))
        .put("weights", new JsonObject().put("r1", 3));
    Database db = RecordMapping.map(json, Database.class);
    assertThat(db).isEqualTo(new Database("postgres://db", 12, Duration.ofSeconds(2), Mode.READ_REPLICA,
        List.of(new Replica("r1", 5432)), Map.of("r1", 3), Optional.empty(), null));
  }

  @Test
  @DisplayName("a record mapping refuses unknown members, missing primitives and values of the wrong type, saying where")
  void recordRefusals() {
    assertThatThrownBy(() -> RecordMapping.map(new JsonObject().put("host", "a").put("port", 1).put("prot", 2),
        Replica.class)).hasMessageContaining("prot is not a component of Replica (components: host, port)");
    assertThatThrownBy(() -> RecordMapping.map(new JsonObject().put("host", "a"), Replica.class))
        .hasMessageContaining("port is missing");
    assertThatThrownBy(() -> RecordMapping.map(new JsonObject().put("url", "u").put("poolSize", 1)
        .put("replicas", new JsonArray().add(new JsonObject().put("host", "h").put("port", "x"))), Database.class))
        .hasMessageContaining("replicas[0].port is x, not a number");
    assertThatThrownBy(() -> RecordMapping.map(new JsonObject().put("host", "a").put("port", 3_000_000_000L),
        Replica.class)).hasMessageContaining("port is 3000000000, not within the range of int");
    assertThatThrownBy(() -> RecordMapping.map(new JsonObject(), String.class)).hasMessageContaining("not a record");
  }

  @Test
  @DisplayName("reconnect delays grow exponentially up to the maximum, shortened by at most the jitter")
  void backoff() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 0.5);
    for (int i = 0; i < 50; i++) {
      assertThat(backoff.delayMillis(0)).isBetween(50L, 100L);
      assertThat(backoff.delayMillis(3)).isBetween(400L, 800L);
      assertThat(backoff.delayMillis(20)).isBetween(1000L, 2000L);
    }
  }
}
