package io.configd.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Brings the schema up to date with the versioned files under db/migration, once at start-up. */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /** Flyway speaks JDBC and blocks: it runs on a worker thread, never on an event loop. */
  public static Future<MigrateResult> migrate(Vertx vertx, PgSettings settings) {
    return vertx.executeBlocking(() -> {
      PgConnectOptions options = PgConnectOptions.fromUri(settings.uri());
      MigrateResult result = Flyway.configure()
          .dataSource(settings.jdbcUrl(), options.getUser(), options.getPassword())
          .schemas(settings.schema())
          .createSchemas(true)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      LOG.info("Schema '{}' at version {} ({} migration(s) applied)", settings.schema(),
          result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
          result.migrationsExecuted);
      return result;
    });
  }
}
