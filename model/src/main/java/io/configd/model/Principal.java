package io.configd.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who made a request, once authenticated: a configd token (by its name) or the subject of a JWT, with
 * its grants. The name is what the audit log records as the actor of a change.
 *
 * @param tokenId   the configd token's id, null for a JWT
 * @param expiresAt when the credential stops being valid; null for never
 */
public record Principal(String name, String tokenId, List<Grant> grants, Instant expiresAt) {

  public Principal {
    grants = List.copyOf(grants);
  }

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  public boolean may(Access needed, String env, ConfigKey key) {
    return grants.stream().anyMatch(grant -> grant.covers(needed, env, key));
  }

  /** True when one grant allows {@code needed} on every key under {@code prefix} ("" for the whole environment). */
  public boolean mayAll(Access needed, String env, String prefix) {
    return grants.stream().anyMatch(grant -> grant.coversAll(needed, env, prefix));
  }

  /** Admin on every key of every environment: managing tokens, reading node statistics. */
  public boolean isRoot() {
    return mayAll(Access.ADMIN, Grant.ANY_ENV, "");
  }

  public void require(Access needed, String env, ConfigKey key) {
    if (!may(needed, env, key)) {
      throw forbidden(needed.label() + " access on " + env + ":" + key);
    }
  }

  public void requireAll(Access needed, String env, String prefix) {
    if (!mayAll(needed, env, prefix)) {
      throw forbidden(needed.label() + " access on " + env + ":" + (prefix.isEmpty() ? "(every key)" : prefix));
    }
  }

  public void requireRoot(String what) {
    if (!isRoot()) {
      throw forbidden("admin access on *:(every key), which " + what + " needs");
    }
  }

  /**
   * What this principal may read under {@code prefix} of {@code env}: null when all of it, otherwise the
   * prefixes below it that a grant covers (whole segments). Fails with FORBIDDEN when there are none.
   */
  public List<String> readableUnder(String env, KeyPrefix prefix) {
    if (mayAll(Access.READ, env, prefix.value())) {
      return null;
    }
    List<String> below = new ArrayList<>();
    for (Grant grant : grants) {
      if (grant.access().includes(Access.READ) && grant.coversEnv(env) && Grant.isUnder(grant.prefix(), prefix.value())) {
        below.add(grant.prefix());
      }
    }
    if (below.isEmpty()) {
      throw forbidden("read access on " + env + ":" + (prefix.isAll() ? "(every key)" : prefix.value()) + " or any key below it");
    }
    return below;
  }

  /** The read grants, for filters that span environments (the audit log); null when they cover everything. */
  public List<Grant> readGrants() {
    if (mayAll(Access.READ, Grant.ANY_ENV, "")) {
      return null;
    }
    return grants.stream().filter(grant -> grant.access().includes(Access.READ)).toList();
  }

  private ConfigdException forbidden(String missing) {
    return new ConfigdException(Failure.FORBIDDEN, "'" + name + "' is authenticated but lacks " + missing);
  }
}
