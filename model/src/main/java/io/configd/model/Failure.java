package io.configd.model;

/**
 * Every way a request can fail, with the HTTP status and the stable problem type it maps to.
 * The code travels in {@code message.fail(code, text)} across the event bus and in the bridge's error
 * frames; it is part of the protocol: the HTTP status times ten plus a number, so 4xxx means the
 * request was refused (do not retry it as it is) and 5xxx that the server could not answer now.
 */
public enum Failure {
  INVALID_KEY(4000, 400, "invalid-key", "Invalid configuration key"),
  UNKNOWN_ENVIRONMENT(4001, 400, "unknown-environment", "Unknown environment"),
  INVALID_BODY(4002, 400, "invalid-body", "Invalid request body"),
  INVALID_PARAMETER(4003, 400, "invalid-parameter", "Invalid parameter"),
  /** Refused by the HTTP server before any route: malformed headers, a Transfer-Encoding other than chunked. */
  INVALID_REQUEST(4004, 400, "invalid-request", "Invalid HTTP request"),
  /** A JSON Schema document that is not a valid draft 2020-12 schema (PUT /v1/schemas). */
  INVALID_SCHEMA(4005, 400, "invalid-schema", "Invalid JSON Schema"),
  /** An instance's identity (hello, instance/app/labels parameters) or ack breaks its grammar. */
  INVALID_INSTANCE(4007, 400, "invalid-instance", "Invalid instance identity or ack"),
  UNAUTHORIZED(4010, 401, "unauthorized", "Unauthorized"),
  FORBIDDEN(4030, 403, "forbidden", "Forbidden"),
  NOT_FOUND(4040, 404, "not-found", "Not found"),
  METHOD_NOT_ALLOWED(4050, 405, "method-not-allowed", "Method not allowed"),
  CONFLICT(4090, 409, "conflict", "Conflict"),
  /**
   * The revision to resume from is one the server does not hold (a newer one than its head), or of another epoch
   * (a restored database): take a snapshot.
   */
  SNAPSHOT_REQUIRED(4100, 410, "snapshot-required", "Snapshot required"),
  /** The changes after the revision to resume from were pruned by retention: take a snapshot. */
  REVISION_COMPACTED(4101, 410, "revision-compacted", "Revision compacted"),
  PRECONDITION_FAILED(4120, 412, "precondition-failed", "Precondition failed"),
  VALUE_TOO_LARGE(4130, 413, "value-too-large", "Value too large"),
  URI_TOO_LONG(4140, 414, "uri-too-long", "URI too long"),
  UNSUPPORTED_MEDIA_TYPE(4150, 415, "unsupported-media-type", "Unsupported media type"),
  /** A value fails the JSON Schema of its prefix; the problem's {@code errors} name each location and rule. */
  SCHEMA_VIOLATION(4220, 422, "schema-violation", "Value does not match its schema"),
  TOO_MANY_REQUESTS(4290, 429, "too-many-requests", "Too many requests"),
  HEADERS_TOO_LARGE(4310, 431, "headers-too-large", "Request header fields too large"),
  UNAVAILABLE(5030, 503, "unavailable", "Service unavailable"),
  /** The request line names an HTTP version other than 1.0 and 1.1. */
  VERSION_NOT_SUPPORTED(5050, 505, "http-version-not-supported", "HTTP version not supported"),
  INTERNAL(5000, 500, "internal", "Internal error");

  /** Relative (RFC 9457 resolves it against the request URI): every node serves the page, GET /problems/{slug}. */
  public static final String TYPE_BASE = "/problems/";

  private final int code;
  private final int status;
  private final String slug;
  private final String title;

  Failure(int code, int status, String slug, String title) {
    this.code = code;
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  public int code() {
    return code;
  }

  public static Failure fromCode(int code) {
    for (Failure failure : values()) {
      if (failure.code == code) {
        return failure;
      }
    }
    return INTERNAL;
  }

  public int status() {
    return status;
  }

  /** The type's last segment, e.g. "not-found". */
  public String slug() {
    return slug;
  }

  public String type() {
    return TYPE_BASE + slug;
  }

  public String title() {
    return title;
  }
}
