package io.configd.cache;

/**
 * Whether this node's last contact with PostgreSQL succeeded, from the cache verticle's probe and from every read it
 * makes; read on any thread (the API's stale answers and {@code /ready}).
 */
public final class PostgresqlHealth {

  private volatile String down;

  public boolean up() {
    return down == null;
  }

  /** "UP", or "DOWN: " and the last failure. */
  public String status() {
    String problem = down;
    return problem == null ? "UP" : "DOWN: " + problem;
  }

  /** @return whether this changed the state (for a log line once per change) */
  boolean markDown(Throwable cause) {
    boolean changed = down == null;
    down = String.valueOf(cause.getMessage() == null ? cause.toString() : cause.getMessage());
    return changed;
  }

  boolean markUp() {
    boolean changed = down != null;
    down = null;
    return changed;
  }
}
