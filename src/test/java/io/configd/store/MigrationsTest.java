package io.configd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("Schema migrations")
class MigrationsTest {

  @Test
  @DisplayName("create the schema on an empty database, and change nothing on the next start")
  void emptyThenExisting(Vertx vertx) {
    JsonObject pg = TestServices.nodeConfig("MigrationsTest").getJsonObject("pg");
    PgSettings settings = PgSettings.from(pg);

    MigrateResult first = Migrations.migrate(vertx, settings).await();
    assertThat(first.migrationsExecuted).isGreaterThanOrEqualTo(1);
    assertThat(first.initialSchemaVersion).isNull();

    var pool = settings.pool(vertx);
    try {
      var tables = pool.query("select table_name from information_schema.tables where table_schema = '"
          + settings.schema() + "' order by 1").execute().await();
      var names = new java.util.ArrayList<String>();
      tables.forEach(row -> names.add(row.getString(0)));
      assertThat(names).contains("config_entry", "config_version", "config_change", "config_revision");
      assertThat(new ConfigStore(pool).headRevision().await()).isZero();

      MigrateResult second = Migrations.migrate(vertx, settings).await();
      assertThat(second.migrationsExecuted).isZero();
      assertThat(second.initialSchemaVersion).isEqualTo(first.targetSchemaVersion);
    } finally {
      pool.close().await();
    }
  }
}
