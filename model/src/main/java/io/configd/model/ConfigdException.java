package io.configd.model;

import io.vertx.core.json.JsonObject;

/**
 * A failure with a kind the API knows how to report; the message is the problem's detail, and {@code members} are
 * extension members of the problem (RFC 9457 §3.2), such as the index of a transaction's failing op.
 */
public class ConfigdException extends RuntimeException {

  private final Failure failure;
  private final JsonObject members;

  public ConfigdException(Failure failure, String detail) {
    this(failure, detail, null);
  }

  public ConfigdException(Failure failure, String detail, JsonObject members) {
    super(detail, null, false, false);
    this.failure = failure;
    this.members = members;
  }

  public Failure failure() {
    return failure;
  }

  /** Extension members of the problem; empty when there are none. */
  public JsonObject members() {
    return members == null ? new JsonObject() : members.copy();
  }
}
