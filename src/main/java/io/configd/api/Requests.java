package io.configd.api;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Environments;
import io.configd.model.Failure;
import io.configd.model.Instance;
import io.configd.model.KeyPrefix;
import io.configd.model.QueryRules;
import io.configd.store.AuditQuery;
import io.configd.store.Precondition;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns the parts of an HTTP request into typed values, or fails with a problem that says what is allowed. */
final class Requests {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_COMMENT = 1024;
  static final int MAX_ACTOR = 128;

  private static final Set<String> WRITE_FIELDS = Set.of("value", "comment", "critical", "secret");
  private static final Set<String> ROLLBACK_FIELDS = Set.of("version", "comment");
  private static final Pattern ETAG = Pattern.compile("(W/)?\"?(\\d{1,9})\"?");
  /** application/json or any application/...+json, with parameters; compiled once, as every write's body is checked. */
  private static final Pattern JSON_TYPE = Pattern.compile("application/([a-z.+-]*\\+)?json *(;.*)?");

  private final Environments environments;
  private final int maxValueBytes;

  Requests(Environments environments, int maxValueBytes) {
    this.environments = environments;
    this.maxValueBytes = maxValueBytes;
  }

  String env(RoutingContext ctx) {
    return environments.parse(ctx.request().getParam("env"));
  }

  ConfigKey key(RoutingContext ctx) {
    return ConfigKey.parse(ctx.pathParam("key"));
  }

  KeyPrefix prefix(RoutingContext ctx) {
    return KeyPrefix.parse(ctx.request().getParam("prefix"));
  }

  /** If-Match ("n" or *) and If-None-Match (* only) on a write. */
  Precondition precondition(RoutingContext ctx) {
    String ifMatch = ctx.request().getHeader("If-Match");
    String ifNoneMatch = ctx.request().getHeader("If-None-Match");
    if (ifMatch != null && ifNoneMatch != null) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "send either If-Match or If-None-Match, not both");
    }
    if (ifNoneMatch != null) {
      if (!ifNoneMatch.trim().equals("*")) {
        throw new ConfigdException(Failure.INVALID_PARAMETER,
            "on a write, If-None-Match only accepts * (create the key only if it does not exist)");
      }
      return Precondition.ABSENT;
    }
    if (ifMatch == null) {
      return Precondition.NONE;
    }
    if (ifMatch.trim().equals("*")) {
      return Precondition.EXISTS;
    }
    return new Precondition.Version(etagVersion(ifMatch, "If-Match"));
  }

  /** The version named by an If-None-Match on a read, or -1 when there is none or it is *. */
  int ifNoneMatchVersion(RoutingContext ctx) {
    String header = ctx.request().getHeader("If-None-Match");
    if (header == null || header.trim().equals("*")) {
      return -1;
    }
    return etagVersion(header, "If-None-Match");
  }

  /** The body of a PUT: value (required, any JSON but null), comment, critical, secret. */
  WriteBody writeBody(RoutingContext ctx) {
    JsonObject body = jsonObject(ctx, WRITE_FIELDS);
    if (!body.containsKey("value")) {
      throw new ConfigdException(Failure.INVALID_BODY,
          "the body must have a 'value' member (any JSON value), e.g. {\"value\": \"jdbc:postgresql://db/payments\"}");
    }
    Object value = body.getValue("value");
    if (value == null) {
      throw new ConfigdException(Failure.INVALID_BODY, "'value' must not be null; to remove a key, send DELETE");
    }
    return new WriteBody(encodedValue(value, "the value"), comment(body), optionalBoolean(body, "critical"),
        optionalBoolean(body, "secret"));
  }

  /** A value as JSON text, within the size limit every write has ({@code what} names it in the refusal). */
  String encodedValue(Object value, String what) {
    String encoded = Json.encode(value);
    int size = encoded.getBytes(StandardCharsets.UTF_8).length;
    if (size > maxValueBytes) {
      throw new ConfigdException(Failure.VALUE_TOO_LARGE,
          what + " is " + size + " bytes encoded; at most " + maxValueBytes + " are allowed");
    }
    return encoded;
  }

  /** A comment from a query parameter: null when absent, at most MAX_COMMENT characters. */
  String comment(String param) {
    if (param != null && param.length() > MAX_COMMENT) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "comment must be at most " + MAX_COMMENT + " characters");
    }
    return param;
  }

  /** The body of a rollback: {"version": n, "comment": "..."}. */
  RollbackBody rollbackBody(RoutingContext ctx) {
    JsonObject body = jsonObject(ctx, ROLLBACK_FIELDS);
    Object version = body.getValue("version");
    if (!(version instanceof Integer || version instanceof Long) || ((Number) version).longValue() < 1
        || ((Number) version).longValue() > Integer.MAX_VALUE) {
      throw new ConfigdException(Failure.INVALID_BODY,
          "the body must have a positive integer 'version', e.g. {\"version\": 3}");
    }
    return new RollbackBody(((Number) version).intValue(), comment(body));
  }

  /**
   * The filters of GET /v1/audit: env, prefix and updatedBy (who made the change) when given; since is a revision (changes after it)
   * or an ISO-8601 instant (changes at or after it). Returns the query and the revision to list after.
   */
  AuditRequest audit(RoutingContext ctx) {
    String envParam = ctx.request().getParam("env");
    String env = envParam == null || envParam.isEmpty() ? null : environments.parse(envParam);
    String actor = ctx.request().getParam("updatedBy");
    if (actor != null && (actor.isEmpty() || actor.length() > MAX_ACTOR)) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "updatedBy must be 1 to " + MAX_ACTOR + " characters");
    }
    String since = ctx.request().getParam("since");
    long afterRevision = 0;
    Instant sinceTime = null;
    if (since != null && !since.isEmpty()) {
      if (since.chars().allMatch(Character::isDigit)) {
        afterRevision = since(ctx);
      } else {
        try {
          sinceTime = Instant.parse(since);
        } catch (DateTimeParseException e) {
          throw new ConfigdException(Failure.INVALID_PARAMETER,
              "since must be a revision number or an ISO-8601 instant such as 2025-01-31T12:00:00Z, not '" + since + "'");
        }
      }
    }
    String cursor = cursor(ctx);
    if (cursor != null) {
      try {
        afterRevision = Math.max(afterRevision, Long.parseLong(cursor));
      } catch (NumberFormatException e) {
        throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
      }
    }
    return new AuditRequest(new AuditQuery(env, prefix(ctx), actor, sinceTime), afterRevision, limit(ctx));
  }

  /** The rule the bridge applies too (QueryRules). */
  int limit(RoutingContext ctx) {
    return QueryRules.limit(ctx.request().getParam("limit"), DEFAULT_LIMIT);
  }

  long since(RoutingContext ctx) {
    return since(ctx, null);
  }

  /** {@code since}, or {@code override} when given (a watch's Last-Event-ID), by the same rule. */
  long since(RoutingContext ctx, String override) {
    return QueryRules.since(override != null ? override.trim() : ctx.request().getParam("since"));
  }

  /** {@code epoch}: absent gives null; else a whole number, as the answers carry it. */
  Long epoch(RoutingContext ctx) {
    String text = ctx.request().getParam("epoch");
    if (text == null) {
      return null;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "epoch must be a whole number, as configd's answers carry "
          + "it, not '" + text + "'");
    }
  }

  int versionParam(RoutingContext ctx) {
    int version = integer(ctx.pathParam("version"), "version");
    if (version < 1) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "version numbers start at 1");
    }
    return version;
  }

  /** The opaque cursor of a paginated listing, decoded; null when absent. */
  String cursor(RoutingContext ctx) {
    String cursor = ctx.request().getParam("cursor");
    if (cursor == null) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
    }
    if (decoded.indexOf(0) >= 0 || decoded.indexOf('\uFFFD') >= 0) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
    }
    return decoded;
  }

  /**
   * The first handler of every route: a query parameter holding U+0000 (which PostgreSQL cannot take as text) or a
   * malformed query string is a 400 here, before anything reads it.
   */
  /** The query parameters, else headers, by which a read names its instance ({@link Instance}). */
  static final String INSTANCE_PARAM = "instance";
  static final String APP_PARAM = "app";
  static final String LABELS_PARAM = "labels";
  static final String INSTANCE_HEADER = "X-Configd-Instance";
  static final String APP_HEADER = "X-Configd-App";
  static final String LABELS_HEADER = "X-Configd-Labels";
  private static final String INSTANCE_DATA = "configd.instance";

  /**
   * The instance a request names: the query parameters {@code instance}, {@code app}, {@code labels}
   * ({@code zone=eu-1,version=2.3.1}) when any is given (an EventSource cannot set headers), else the headers
   * {@code X-Configd-Instance}, {@code X-Configd-App}, {@code X-Configd-Labels}; empty when it names none. Read once
   * per request; a malformed one is 400 invalid-instance.
   */
  static Optional<Instance> instance(RoutingContext ctx) {
    Optional<Instance> known = ctx.get(INSTANCE_DATA);
    if (known != null) {
      return known;
    }
    MultiMap params = ctx.request().params();
    boolean inQuery = params.contains(INSTANCE_PARAM) || params.contains(APP_PARAM) || params.contains(LABELS_PARAM);
    Instance instance = inQuery
        ? Instance.fromParameters(single(params, INSTANCE_PARAM), single(params, APP_PARAM), single(params, LABELS_PARAM))
        : Instance.fromParameters(ctx.request().getHeader(INSTANCE_HEADER), ctx.request().getHeader(APP_HEADER),
            ctx.request().getHeader(LABELS_HEADER));
    Optional<Instance> named = Optional.ofNullable(instance);
    ctx.put(INSTANCE_DATA, named);
    return named;
  }

  private static String single(MultiMap params, String name) {
    List<String> values = params.getAll(name);
    if (values.size() > 1) {
      throw new ConfigdException(Failure.INVALID_INSTANCE, "the query parameter '" + name + "' is given "
          + values.size() + " times; give it once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  static void checkParameters(RoutingContext ctx) {
    MultiMap params;
    try {
      params = ctx.request().params();
    } catch (RuntimeException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "the query string is malformed: " + e.getMessage());
    }
    for (Map.Entry<String, String> param : params) {
      if (param.getKey().indexOf(0) >= 0 || param.getValue().indexOf(0) >= 0) {
        throw new ConfigdException(Failure.INVALID_PARAMETER, "the query parameter '" + param.getKey().replace('\0', '?')
            + "' contains U+0000; parameters are text without NUL");
      }
    }
    ctx.next();
  }

  static String encodeCursor(String position) {
    return position == null ? null
        : Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
  }

  /** A JSON object body ({@link StrictJson}) sent as application/json, with only the members {@code allowed}. */
  JsonObject jsonObject(RoutingContext ctx, Set<String> allowed) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !JSON_TYPE.matcher(contentType.toLowerCase(Locale.ROOT)).matches()) {
      throw new ConfigdException(Failure.UNSUPPORTED_MEDIA_TYPE, "the body must be JSON; send it with Content-Type: "
          + "application/json" + (contentType == null ? "" : ", not " + contentType));
    }
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      throw new ConfigdException(Failure.INVALID_BODY, "the request has no body; send a JSON object");
    }
    Object parsed = StrictJson.parse(raw);
    if (!(parsed instanceof JsonObject body)) {
      throw new ConfigdException(Failure.INVALID_BODY, "the body must be a JSON object");
    }
    for (String field : body.fieldNames()) {
      if (!allowed.contains(field)) {
        throw new ConfigdException(Failure.INVALID_BODY,
            "unknown member '" + field + "'; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return body;
  }

  private static String comment(JsonObject body) {
    Object comment = body.getValue("comment");
    if (comment == null) {
      return null;
    }
    if (!(comment instanceof String text) || text.length() > MAX_COMMENT) {
      throw new ConfigdException(Failure.INVALID_BODY, "'comment' must be a string of at most " + MAX_COMMENT + " characters");
    }
    return text;
  }

  private static Boolean optionalBoolean(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'" + field + "' must be true or false");
    }
    return (Boolean) value;
  }

  private static int etagVersion(String header, String name) {
    var matcher = ETAG.matcher(header.trim());
    if (!matcher.matches()) {
      throw new ConfigdException(Failure.INVALID_PARAMETER,
          name + " must be a version in quotes, e.g. " + name + ": \"3\", not " + header);
    }
    return Integer.parseInt(matcher.group(2));
  }

  private static int integer(String text, String name) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, name + " must be a whole number, not '" + text + "'");
    }
  }

  record AuditRequest(AuditQuery query, long afterRevision, int limit) {
  }

  /** @param secret true makes the key secret (sticky), null keeps its flag */
  record WriteBody(String encodedValue, String comment, Boolean critical, Boolean secret) {
  }

  record RollbackBody(int version, String comment) {
  }
}
