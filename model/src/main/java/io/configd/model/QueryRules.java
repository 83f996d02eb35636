package io.configd.model;

/**
 * The rules of the read queries that the HTTP API (text parameters) and the bridge (JSON bodies) both take: a page
 * {@code limit} and a revision {@code since}. One rule, one message, whichever door the query came in by.
 */
public final class QueryRules {

  public static final int MAX_LIMIT = 1000;

  private QueryRules() {
  }

  /** A limit as an HTTP parameter: absent gives {@code otherwise}; else a whole number from 1 to 1000. */
  public static int limit(String text, int otherwise) {
    if (text == null) {
      return otherwise;
    }
    try {
      return limitInRange(Long.parseLong(text));
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "limit must be a whole number, not '" + text + "'");
    }
  }

  /** A limit in a JSON body: absent (or null) gives {@code otherwise}; else a whole number from 1 to 1000. */
  public static int limit(Object json, int otherwise) {
    if (json == null) {
      return otherwise;
    }
    if (!(json instanceof Integer || json instanceof Long)) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "limit must be a whole number, not " + json);
    }
    return limitInRange(((Number) json).longValue());
  }

  /** A revision as an HTTP parameter: absent gives 0; else a whole number, 0 or more. */
  public static long since(String text) {
    if (text == null) {
      return 0;
    }
    try {
      return sinceInRange(Long.parseLong(text), text);
    } catch (NumberFormatException e) {
      throw invalidSince(text);
    }
  }

  /** A revision in a JSON body: required, a whole number, 0 or more. */
  public static long since(Object json) {
    if (!(json instanceof Integer || json instanceof Long)) {
      throw invalidSince(String.valueOf(json));
    }
    return sinceInRange(((Number) json).longValue(), json.toString());
  }

  private static int limitInRange(long limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "limit must be between 1 and " + MAX_LIMIT);
    }
    return (int) limit;
  }

  private static long sinceInRange(long since, String text) {
    if (since < 0) {
      throw invalidSince(text);
    }
    return since;
  }

  private static ConfigdException invalidSince(String text) {
    return new ConfigdException(Failure.INVALID_PARAMETER, "since must be a revision number (0 or more), not '" + text + "'");
  }
}
