package io.configd.store;

import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL connection settings: the {@code pg} section of the configuration.
 *
 * @param startWaitMs         how long a starting node waits for PostgreSQL to answer its first connection before it
 *                            gives up
 * @param connectionTimeoutMs how long a query waits for a connection of the pool before it fails (503 unavailable)
 */
public record PgSettings(String uri, String schema, int poolSize, int startWaitMs, int connectionTimeoutMs) {

  public static PgSettings from(JsonObject pg) {
    return new PgSettings(pg.getString("uri"), pg.getString("schema", "public"), pg.getInteger("poolSize", 8),
        pg.getInteger("startWaitMs", 60_000), pg.getInteger("connectionTimeoutMs", 5_000));
  }

  public PgConnectOptions connectOptions() {
    PgConnectOptions options = PgConnectOptions.fromUri(uri);
    options.setProperties(Map.of("search_path", schema, "application_name", "configd"));
    options.setReconnectAttempts(0);
    // Each connection keeps its prepared statements: a read is Bind/Execute, not Parse/Bind/Execute, saving
    // PostgreSQL the parse and plan of every query (behind a transaction-pooling proxy, turn this off)
    options.setCachePreparedStatements(true);
    return options;
  }

  public PoolOptions poolOptions() {
    // Shared by the verticles of one node; named after the server and schema, so two nodes in one
    // Vert.x pointed at different databases never share connections. The name is a label of /metrics:
    // it names the user, never the password.
    PgConnectOptions server = PgConnectOptions.fromUri(uri);
    String name = "configd-pg:" + server.getUser() + "@" + server.getHost() + ":" + server.getPort() + "/"
        + server.getDatabase() + "#" + schema;
    return new PoolOptions().setMaxSize(poolSize).setName(name).setShared(true)
        .setConnectionTimeout(connectionTimeoutMs).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxWaitQueueSize(10_000);
  }

  /** A pool for one verticle; verticles of one node share the connections under the same pool name. */
  public Pool pool(Vertx vertx) {
    return PgBuilder.pool().with(poolOptions()).connectingTo(connectOptions()).using(vertx).build();
  }

  /** The same server as a JDBC URL, for Flyway. */
  public String jdbcUrl() {
    PgConnectOptions options = PgConnectOptions.fromUri(uri);
    return "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }
}
