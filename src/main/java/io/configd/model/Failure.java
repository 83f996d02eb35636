package io.configd.model;

/**
 * Every way a request can fail, with the HTTP status and the stable problem type it maps to.
 * The code travels in {@code message.fail(code, text)} across the event bus.
 */
public enum Failure {
  INVALID_KEY(400, "invalid-key", "Invalid configuration key"),
  UNKNOWN_ENVIRONMENT(400, "unknown-environment", "Unknown environment"),
  INVALID_BODY(400, "invalid-body", "Invalid request body"),
  INVALID_PARAMETER(400, "invalid-parameter", "Invalid parameter"),
  NOT_FOUND(404, "not-found", "Not found"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  CONFLICT(409, "conflict", "Conflict"),
  PRECONDITION_FAILED(412, "precondition-failed", "Precondition failed"),
  VALUE_TOO_LARGE(413, "value-too-large", "Value too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
  UNAVAILABLE(503, "unavailable", "Service unavailable"),
  INTERNAL(500, "internal", "Internal error");

  public static final String TYPE_BASE = "https://configd.io/problems/";

  private final int status;
  private final String slug;
  private final String title;

  Failure(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  /** The event-bus failure code: unique per constant, stable across releases as long as the order is. */
  public int code() {
    return 1000 + ordinal();
  }

  public static Failure fromCode(int code) {
    int index = code - 1000;
    Failure[] all = values();
    return index >= 0 && index < all.length ? all[index] : INTERNAL;
  }

  public int status() {
    return status;
  }

  public String type() {
    return TYPE_BASE + slug;
  }

  public String title() {
    return title;
  }
}
