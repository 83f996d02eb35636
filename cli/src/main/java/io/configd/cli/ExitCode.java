package io.configd.cli;

/** The exit codes scripts can rely on (README, "configdctl"). */
public final class ExitCode {

  public static final int OK = 0;
  /** Bad arguments, or a request the node refused as malformed (400, 413, 415) or against its schema (422). */
  public static final int USAGE = 1;
  /** 404, or 410: a revision this node does not hold (take a snapshot). */
  public static final int NOT_FOUND = 2;
  /** 409 conflict or 412 precondition failed: someone changed it meanwhile, or it already exists. */
  public static final int CONFLICT = 3;
  /** 401 or 403: no token, a bad one, or one without the grant. */
  public static final int AUTH = 4;
  /** The node cannot be reached, or answers 429 or 5xx: try again later. */
  public static final int UNAVAILABLE = 5;
  /** 202: an approval policy held the write as a pending change; nothing is written until someone approves it. */
  public static final int HELD = 6;

  private ExitCode() {
  }

  static int forStatus(int status) {
    return switch (status) {
      case 401, 403 -> AUTH;
      case 404, 410 -> NOT_FOUND;
      case 409, 412 -> CONFLICT;
      case 429 -> UNAVAILABLE;
      default -> status >= 500 ? UNAVAILABLE : USAGE;
    };
  }
}
