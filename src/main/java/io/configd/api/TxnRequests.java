package io.configd.api;

import io.configd.model.ConfigKey;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.store.Precondition;
import io.configd.store.TxnOp;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The body of POST /v1/txn as typed ops, or a 400 naming the op at fault ({@code op}: its index) before anything is
 * written. The contract: README, "Transactions".
 */
final class TxnRequests {

  private static final Set<String> BODY_FIELDS = Set.of("comment", "ops");
  private static final Map<TxnOp.Kind, Set<String>> OP_FIELDS = Map.of(
      TxnOp.Kind.PUT, Set.of("op", "key", "value", "expect", "comment", "critical", "secret"),
      TxnOp.Kind.DELETE, Set.of("op", "key", "expect", "comment"),
      TxnOp.Kind.CHECK, Set.of("op", "key", "expect"));

  private final Requests requests;
  private final int maxOps;
  private final int maxValueBytes;

  TxnRequests(Requests requests, int maxOps, int maxValueBytes) {
    this.requests = requests;
    this.maxOps = maxOps;
    this.maxValueBytes = maxValueBytes;
  }

  List<TxnOp> ops(RoutingContext ctx) {
    JsonObject body = requests.jsonObject(ctx, BODY_FIELDS);
    String comment = comment(body.getValue("comment"), null);
    Object ops = body.getValue("ops");
    if (!(ops instanceof JsonArray list) || list.isEmpty()) {
      throw new ConfigdException(Failure.INVALID_BODY, "the body must have 'ops', an array of 1 to " + maxOps
          + " operations, e.g. {\"ops\": [{\"op\": \"put\", \"key\": \"services.payment.timeout\", \"value\": 30}]}");
    }
    if (list.size() > maxOps) {
      throw new ConfigdException(Failure.INVALID_BODY, "a transaction holds at most " + maxOps + " operations, not "
          + list.size() + "; split it");
    }
    List<TxnOp> parsed = new ArrayList<>(list.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      TxnOp op = op(list.getValue(i), i, comment);
      Integer earlier = seen.putIfAbsent(op.key().value(), i);
      if (earlier != null) {
        throw invalid(i, "key '" + op.key() + "' is already in op " + earlier + "; a transaction names each key once");
      }
      parsed.add(op);
    }
    return parsed;
  }

  private TxnOp op(Object raw, int index, String txnComment) {
    if (!(raw instanceof JsonObject json)) {
      throw invalid(index, "an operation must be a JSON object such as {\"op\": \"put\", \"key\": ..., \"value\": ...}");
    }
    TxnOp.Kind kind = kind(json.getValue("op"), index);
    for (String field : json.fieldNames()) {
      if (!OP_FIELDS.get(kind).contains(field)) {
        throw invalid(index, "unknown member '" + field + "' in a " + kind.wire() + "; allowed: "
            + String.join(", ", OP_FIELDS.get(kind).stream().sorted().toList()));
      }
    }
    ConfigKey key = key(json.getValue("key"), index);
    Precondition expected = expect(json, kind, index);
    String comment = kind == TxnOp.Kind.CHECK ? null : comment(json.getValue("comment"), index);
    if (comment == null && kind != TxnOp.Kind.CHECK) {
      comment = txnComment;
    }
    String encoded = null;
    Boolean critical = null;
    Boolean secret = null;
    if (kind == TxnOp.Kind.PUT) {
      if (!json.containsKey("value") || json.getValue("value") == null) {
        throw invalid(index, "a put needs a 'value' (any JSON value but null); to remove a key, use a delete");
      }
      encoded = Json.encode(json.getValue("value"));
      int size = encoded.getBytes(StandardCharsets.UTF_8).length;
      if (size > maxValueBytes) {
        throw invalid(index, "the value is " + size + " bytes encoded; at most " + maxValueBytes + " are allowed");
      }
      Object flag = json.getValue("critical");
      if (flag != null && !(flag instanceof Boolean)) {
        throw invalid(index, "'critical' must be true or false");
      }
      critical = (Boolean) flag;
      Object secretFlag = json.getValue("secret");
      if (secretFlag != null && !(secretFlag instanceof Boolean)) {
        throw invalid(index, "'secret' must be true or false");
      }
      secret = (Boolean) secretFlag;
    }
    return new TxnOp(kind, key, encoded, critical, comment, expected, secret);
  }

  private static TxnOp.Kind kind(Object op, int index) {
    if (op instanceof String name) {
      for (TxnOp.Kind kind : TxnOp.Kind.values()) {
        if (kind.wire().equals(name)) {
          return kind;
        }
      }
    }
    throw invalid(index, "'op' must be \"put\", \"delete\" or \"check\", not " + Json.encode(op));
  }

  private static ConfigKey key(Object key, int index) {
    if (!(key instanceof String text)) {
      throw invalid(index, "an operation needs a 'key' string");
    }
    try {
      return ConfigKey.parse(text);
    } catch (ConfigdException e) {
      throw new ConfigdException(e.failure(), "op " + index + ": " + e.getMessage(), new JsonObject().put("op", index));
    }
  }

  /** A version n (the current version must be n), "absent", "exists"; required on a check, optional otherwise. */
  private static Precondition expect(JsonObject json, TxnOp.Kind kind, int index) {
    Object expect = json.getValue("expect");
    if (expect == null) {
      if (kind == TxnOp.Kind.CHECK) {
        throw invalid(index, "a check needs 'expect': a version number, \"absent\" or \"exists\"");
      }
      return Precondition.NONE;
    }
    if ((expect instanceof Integer || expect instanceof Long) && ((Number) expect).longValue() >= 1
        && ((Number) expect).longValue() <= Integer.MAX_VALUE) {
      return new Precondition.Version(((Number) expect).intValue());
    }
    if ("absent".equals(expect)) {
      return Precondition.ABSENT;
    }
    if ("exists".equals(expect)) {
      return Precondition.EXISTS;
    }
    throw invalid(index, "'expect' must be a version number (1 or more), \"absent\" or \"exists\", not "
        + Json.encode(expect));
  }

  private static String comment(Object comment, Integer index) {
    if (comment == null) {
      return null;
    }
    if (!(comment instanceof String text) || text.length() > Requests.MAX_COMMENT) {
      String what = "'comment' must be a string of at most " + Requests.MAX_COMMENT + " characters";
      throw index == null ? new ConfigdException(Failure.INVALID_BODY, what) : invalid(index, what);
    }
    return text;
  }

  private static ConfigdException invalid(int index, String why) {
    return new ConfigdException(Failure.INVALID_BODY, "op " + index + ": " + why + "; nothing was written",
        new JsonObject().put("op", index));
  }
}
