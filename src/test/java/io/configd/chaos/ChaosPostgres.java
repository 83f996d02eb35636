package io.configd.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL of the run's own: initdb into a temporary directory (owned by the postgres user, since the server
 * refuses to run as root), on a spare port, listening on loopback and on the services bridge, trusting every
 * connection of the run. pg_ctl restarts it; the shared PostgreSQL on 5432 is never touched.
 */
final class ChaosPostgres implements AutoCloseable {

  private static final Path BIN = Path.of(System.getenv().getOrDefault("CONFIGD_PG_BIN", "/usr/lib/postgresql/15/bin"));

  private final Path root;
  private final Path data;
  private final Path log;
  private final String host;
  private final int port;
  private final boolean asPostgres;

  private ChaosPostgres(Path data, Path log, String host, int port) {
    this.root = data.getParent();
    this.data = data;
    this.log = log;
    this.host = host;
    this.port = port;
    this.asPostgres = "root".equals(System.getProperty("user.name"));
  }

  static ChaosPostgres start(Path dir, String host, int port) {
    if (!Files.isExecutable(BIN.resolve("initdb"))) {
      throw new IllegalStateException("the chaos run needs PostgreSQL's server binaries in " + BIN
          + " (apt-get install postgresql, or set CONFIGD_PG_BIN)");
    }
    ChaosPostgres pg = new ChaosPostgres(dir.resolve("pgdata"), dir.resolve("postgresql.log"), host, port);
    pg.init(dir);
    pg.startServer();
    return pg;
  }

  private void init(Path dir) {
    try {
      Files.createDirectories(dir);
      if (asPostgres) {
        Shell.run("chown", "postgres", dir.toString());
      }
      pgCommand(BIN.resolve("initdb") + " -D " + data + " -U configd --auth=trust -E UTF8 --locale=C.UTF-8");
      Files.writeString(data.resolve("postgresql.auto.conf"), """
          listen_addresses = '127.0.0.1,%s'
          port = %d
          unix_socket_directories = '%s'
          fsync = on
          max_connections = 200
          shared_buffers = 64MB
          """.formatted(host, port, dir), java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\nhost all all 0.0.0.0/0 trust\n");
      if (asPostgres) {
        Shell.run("chown", "-R", "postgres", data.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void startServer() {
    pgCommand(BIN.resolve("pg_ctl") + " -D " + data + " -l " + log + " -w -t 60 start");
  }

  /** A crash: every backend killed at once, no checkpoint; the next start replays the WAL. */
  void stopImmediately() {
    pgCommand(BIN.resolve("pg_ctl") + " -D " + data + " -m immediate -w stop");
  }

  String uri() {
    return "postgresql://configd@" + host + ":" + port + "/postgres";
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?connectTimeout=5&socketTimeout=30",
        "configd", "");
  }

  private void pgCommand(String command) {
    if (asPostgres) {
      Shell.run("su", "postgres", "-s", "/bin/sh", "-c", command);
    } else {
      Shell.run("/bin/sh", "-c", command);
    }
  }

  @Override
  public void close() {
    Shell.tryRun(asPostgres ? new String[] {"su", "postgres", "-s", "/bin/sh", "-c",
        BIN.resolve("pg_ctl") + " -D " + data + " -m immediate -w stop"}
        : new String[] {BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"});
    Shell.tryRun("rm", "-rf", root.toString());
  }
}
