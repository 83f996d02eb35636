package io.configd.api;

import io.configd.model.Access;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.model.Selector;
import io.configd.model.Targeting;
import io.configd.store.NewRollout;
import io.configd.store.Rollout;
import io.configd.store.RolloutFleet;
import io.configd.store.RolloutStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * /v1/rollouts: a new value of a key for part of the fleet (a label selector, a percentage by a stable hash of the
 * instance id, or both), held by hand (a gray release) or advanced by the publisher's leader along a plan of steps
 * with bake times; promoted (released to everyone as a new version) or aborted (the targeted instances back on the
 * released value), by hand or by a health signal. Every action needs write on the key; reading needs read.
 */
final class RolloutsApi {

  static final int MAX_STEPS = 20;
  static final Duration MAX_BAKE = Duration.ofDays(7);
  private static final Set<String> START_FIELDS = Set.of("key", "value", "selector", "percentage", "steps",
      "failureThreshold", "expectedVersion", "comment");
  private static final Set<String> TARGET_FIELDS = Set.of("selector", "percentage", "comment");
  private static final Set<String> STEP_FIELDS = Set.of("percentage", "bake");
  private static final Set<String> REASON_FIELDS = Set.of("reason");
  private static final Set<String> PROMOTE_FIELDS = Set.of("comment");

  private final Requests requests;
  private final RolloutStore rollouts;
  private final Authentication authentication;
  private final Function<ConfigValue, Future<ConfigValue>> cached;
  private final RolloutFleet fleet;

  /**
   * @param cached tells this node's cache of a version a promotion wrote (read-your-writes, as for a PUT)
   * @param fleet  what the connected instances run, shown with each rollout
   */
  RolloutsApi(Requests requests, RolloutStore rollouts, Authentication authentication,
              Function<ConfigValue, Future<ConfigValue>> cached, RolloutFleet fleet) {
    this.requests = requests;
    this.rollouts = rollouts;
    this.authentication = authentication;
    this.cached = cached;
    this.fleet = fleet;
  }

  /** The rollout as the API shows it, with what the connected instances watching its key run. */
  private Future<JsonObject> shown(Rollout rollout) {
    return fleet.of(rollout).map(instances -> rollout.toJson().put("instances", instances.toJson()));
  }

  void mount(Router router) {
    router.post("/v1/rollouts").handler(this::start);
    router.get("/v1/rollouts").handler(this::list);
    router.get("/v1/rollouts/:id").handler(this::get);
    router.post("/v1/rollouts/:id/target").handler(this::target);
    router.post("/v1/rollouts/:id/pause").handler(ctx -> act(ctx, REASON_FIELDS,
        (rollout, body) -> rollouts.pause(rollout.id(), reason(body), actor(ctx))));
    router.post("/v1/rollouts/:id/resume").handler(ctx -> act(ctx, Set.of(),
        (rollout, body) -> rollouts.resume(rollout.id(), actor(ctx))));
    router.post("/v1/rollouts/:id/promote").handler(ctx -> act(ctx, PROMOTE_FIELDS,
        (rollout, body) -> rollouts.promote(rollout.id(), actor(ctx), comment(body), cached)));
    router.post("/v1/rollouts/:id/abort").handler(ctx -> act(ctx, REASON_FIELDS,
        (rollout, body) -> rollouts.abort(rollout.id(), Rollout.State.ABORTED,
            reason(body) == null ? "aborted by " + actor(ctx) : reason(body), actor(ctx))));
    router.post("/v1/rollouts/:id/alarm").handler(this::alarm);
  }

  /** POST /v1/rollouts?env=: starts a rollout; 201 with it. */
  private void start(RoutingContext ctx) {
    String env = requests.env(ctx);
    JsonObject body = requests.jsonObject(ctx, START_FIELDS);
    if (!(body.getValue("key") instanceof String keyText)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'key' is required: the key the rollout changes, e.g. "
          + "\"services.payment.pool\"");
    }
    ConfigKey key = ConfigKey.parse(keyText);
    Principal principal = Authentication.principal(ctx);
    principal.require(Access.WRITE, env, key);
    if (!body.containsKey("value") || body.getValue("value") == null) {
      throw new ConfigdException(Failure.INVALID_BODY, "'value' is required: the new value (any JSON but null) the "
          + "targeted instances receive");
    }
    String value = requests.encodedValue(body.getValue("value"), "the value");
    Selector selector = selector(body.getValue("selector"));
    List<Rollout.Step> steps = steps(body.getValue("steps"));
    Integer basisPoints;
    if (!steps.isEmpty()) {
      if (body.containsKey("percentage")) {
        throw new ConfigdException(Failure.INVALID_BODY, "give either 'percentage' (a gray release held by hand) or "
            + "'steps' (a plan whose first step sets the percentage), not both");
      }
      basisPoints = steps.get(0).basisPoints();
    } else {
      basisPoints = body.getValue("percentage") == null ? null
          : Targeting.basisPoints(body.getValue("percentage"), "percentage");
    }
    Targeting targeting = new Targeting(selector, basisPoints);
    Integer threshold = wholeNumber(body.getValue("failureThreshold"), "failureThreshold", 0, Integer.MAX_VALUE);
    Integer expected = wholeNumber(body.getValue("expectedVersion"), "expectedVersion", 1, Integer.MAX_VALUE);
    authentication.countWrite(ctx);
    rollouts.start(new NewRollout(env, key, value, targeting, steps, threshold, expected, comment(body),
            principal.name()))
        .onSuccess(rollout -> ctx.response().setStatusCode(201).putHeader("Location", "/v1/rollouts/" + rollout.id())
            .putHeader("Content-Type", "application/json").end(rollout.toJson().encode()))
        .onFailure(ctx::fail);
  }

  /** GET /v1/rollouts?env=&prefix=&state=&order=: the rollouts the token may read, oldest (or newest) first. */
  private void list(RoutingContext ctx) {
    String envParam = ctx.request().getParam("env");
    String env = envParam == null || envParam.isEmpty() ? null : requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    Rollout.State state = state(ctx.request().getParam("state"));
    int limit = requests.limit(ctx);
    String cursor = requests.cursor(ctx);
    long after = cursor == null ? 0 : id(cursor, Failure.INVALID_PARAMETER);
    boolean newestFirst = newestFirst(ctx.request().getParam("order"));
    Principal principal = Authentication.principal(ctx);
    rollouts.list(env, prefix, state, after, limit, newestFirst)
        .compose(page -> Future.all(page.items().stream()
                .filter(rollout -> principal.may(Access.READ, rollout.env(), ConfigKey.parse(rollout.key())))
                .map(this::shown).toList())
            .map(shown -> new JsonObject().put("items", new JsonArray(shown.list()))
                .put("next", Requests.encodeCursor(page.next()))))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private static boolean newestFirst(String order) {
    if (order == null || order.isEmpty() || order.equals("oldest")) {
      return false;
    }
    if (order.equals("newest")) {
      return true;
    }
    throw new ConfigdException(Failure.INVALID_PARAMETER, "order must be 'oldest' (the default) or 'newest', not '"
        + order + "'");
  }

  private void get(RoutingContext ctx) {
    long id = id(ctx.pathParam("id"), Failure.NOT_FOUND);
    rollouts.get(id)
        .compose(rollout -> {
          Authentication.principal(ctx).require(Access.READ, rollout.env(), ConfigKey.parse(rollout.key()));
          return shown(rollout);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** POST /v1/rollouts/{id}/target: a gray release's new selector and/or percentage (a plan moves by its steps). */
  private void target(RoutingContext ctx) {
    act(ctx, TARGET_FIELDS, (rollout, body) -> {
      if (rollout.hasPlan()) {
        throw new ConfigdException(Failure.CONFLICT, "rollout " + rollout.id() + " follows a plan of steps, which "
            + "sets its percentage; pause it, or abort it and start a gray release");
      }
      Selector selector = body.containsKey("selector") ? selector(body.getValue("selector"))
          : rollout.targeting().selector();
      Integer basisPoints = body.containsKey("percentage") ? (body.getValue("percentage") == null ? null
          : Targeting.basisPoints(body.getValue("percentage"), "percentage")) : rollout.targeting().basisPoints();
      Targeting targeting = new Targeting(selector, basisPoints);
      return rollouts.retarget(rollout.id(), targeting, null, actor(ctx), comment(body))
          .map(result -> result.orElseThrow());
    });
  }

  /**
   * POST /v1/rollouts/{id}/alarm: a monitoring system says the rollout hurts; it is rolled back at once. The body is
   * the monitor's own (any JSON, or none): a string {@code reason}, {@code message} or {@code title} in it is kept.
   */
  private void alarm(RoutingContext ctx) {
    long id = id(ctx.pathParam("id"), Failure.NOT_FOUND);
    String said = null;
    if (ctx.body().buffer() != null && ctx.body().buffer().length() > 0) {
      Object parsed = StrictJson.parse(ctx.body().buffer());
      if (parsed instanceof JsonObject json) {
        for (String member : List.of("reason", "message", "title")) {
          if (json.getValue(member) instanceof String text && !text.isBlank()) {
            said = text.length() > Requests.MAX_COMMENT ? text.substring(0, Requests.MAX_COMMENT) : text;
            break;
          }
        }
      }
    }
    String why = "alarm raised by " + Authentication.principal(ctx).name() + (said == null ? "" : ": " + said);
    rollouts.get(id)
        .compose(rollout -> {
          mayWrite(ctx, rollout);
          return rollouts.abort(id, Rollout.State.ROLLED_BACK, why, actor(ctx));
        })
        .onSuccess(rollout -> json(ctx, 200, rollout.toJson()))
        .onFailure(ctx::fail);
  }

  /** Reads the body (only {@code fields}), checks write on the rollout's key, runs the action, answers the rollout. */
  private void act(RoutingContext ctx, Set<String> fields, Action action) {
    long id = id(ctx.pathParam("id"), Failure.NOT_FOUND);
    JsonObject body = ctx.body().buffer() == null || ctx.body().buffer().length() == 0 ? new JsonObject()
        : requests.jsonObject(ctx, fields);
    rollouts.get(id)
        .compose(rollout -> {
          mayWrite(ctx, rollout);
          return action.run(rollout, body);
        })
        .onSuccess(rollout -> json(ctx, 200, rollout.toJson()))
        .onFailure(ctx::fail);
  }

  private interface Action {
    Future<Rollout> run(Rollout rollout, JsonObject body);
  }

  private void mayWrite(RoutingContext ctx, Rollout rollout) {
    Authentication.principal(ctx).require(Access.WRITE, rollout.env(), ConfigKey.parse(rollout.key()));
    authentication.countWrite(ctx);
  }

  private static String actor(RoutingContext ctx) {
    return Authentication.principal(ctx).name();
  }

  private static Selector selector(Object value) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw new ConfigdException(Failure.INVALID_BODY, "'selector' must be a string such as \"zone=eu-1,version in "
          + "(2.3.1, 2.3.2)\"");
    }
    return Selector.parse(text);
  }

  /** 1 to MAX_STEPS steps {percentage, bake}, percentages rising strictly to 100; none: a gray release. */
  static List<Rollout.Step> steps(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray list) || list.isEmpty() || list.size() > MAX_STEPS) {
      throw new ConfigdException(Failure.INVALID_BODY, "'steps' must be a list of 1 to " + MAX_STEPS + " steps, e.g. "
          + "[{\"percentage\": 10, \"bake\": \"PT10M\"}, {\"percentage\": 100, \"bake\": \"PT30M\"}]; leave it out for "
          + "a gray release held by hand");
    }
    List<Rollout.Step> steps = new ArrayList<>();
    int previous = -1;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject step)) {
        throw new ConfigdException(Failure.INVALID_BODY, "step " + i + " must be an object {percentage, bake}");
      }
      for (String field : step.fieldNames()) {
        if (!STEP_FIELDS.contains(field)) {
          throw new ConfigdException(Failure.INVALID_BODY, "step " + i + ": unknown member '" + field + "'; allowed: "
              + "bake, percentage");
        }
      }
      int points = Targeting.basisPoints(step.getValue("percentage"), "step " + i + "'s percentage");
      if (points <= previous) {
        throw new ConfigdException(Failure.INVALID_BODY, "step " + i + "'s percentage must be above the step before's:"
            + " a plan only widens");
      }
      previous = points;
      steps.add(new Rollout.Step(points, bake(step.getValue("bake"), i).toMillis()));
    }
    if (previous != Targeting.ALL) {
      throw new ConfigdException(Failure.INVALID_BODY, "the last step must be at 100 %: once it has baked, the rollout "
          + "is promoted");
    }
    return List.copyOf(steps);
  }

  /** Seconds (a whole number, 0 or more) or an ISO-8601 duration such as "PT10M", at most MAX_BAKE. */
  private static Duration bake(Object value, int step) {
    Duration bake;
    if (value instanceof Integer || value instanceof Long) {
      bake = Duration.ofSeconds(((Number) value).longValue());
    } else if (value instanceof String text) {
      try {
        bake = Duration.parse(text);
      } catch (DateTimeParseException e) {
        throw invalidBake(step);
      }
    } else {
      throw invalidBake(step);
    }
    if (bake.isNegative() || bake.compareTo(MAX_BAKE) > 0) {
      throw invalidBake(step);
    }
    return bake;
  }

  private static ConfigdException invalidBake(int step) {
    return new ConfigdException(Failure.INVALID_BODY, "step " + step + "'s 'bake' must be a number of seconds or an "
        + "ISO-8601 duration such as \"PT10M\", from 0 to " + MAX_BAKE.toDays() + " days");
  }

  private static Integer wholeNumber(Object value, String name, int min, int max) {
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
        || ((Number) value).longValue() > max) {
      throw new ConfigdException(Failure.INVALID_BODY, "'" + name + "' must be a whole number of at least " + min);
    }
    return ((Number) value).intValue();
  }

  private static String comment(JsonObject body) {
    return text(body, "comment");
  }

  private static String reason(JsonObject body) {
    return text(body, "reason");
  }

  private static String text(JsonObject body, String member) {
    Object value = body.getValue(member);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.length() > Requests.MAX_COMMENT) {
      throw new ConfigdException(Failure.INVALID_BODY, "'" + member + "' must be a string of at most "
          + Requests.MAX_COMMENT + " characters");
    }
    return text;
  }

  private static Rollout.State state(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    for (Rollout.State state : Rollout.State.values()) {
      if (state.wire().equals(text.toLowerCase(Locale.ROOT))) {
        return state;
      }
    }
    throw new ConfigdException(Failure.INVALID_PARAMETER, "state must be one of active, paused, promoted, aborted, "
        + "rolled-back, superseded, not '" + text + "'");
  }

  private static long id(String text, Failure failure) {
    try {
      long id = Long.parseLong(text);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ConfigdException(failure, failure == Failure.NOT_FOUND
        ? "there is no rollout '" + text + "'; rollout ids are positive numbers (GET /v1/rollouts)"
        : "cursor is not one this server returned");
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
