package io.configd.guard;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.store.GuardRule;
import io.configd.store.GuardStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Changing a schema or an approval policy: a new version, recorded with its author and comment (the history is the
 * audit trail), put in force on this node at once and announced to the others. A schema is compiled first (400 when
 * it is not a valid draft 2020-12 schema) and the current values it would govern are checked: reported in the
 * answer, or with enforce=existing a 422 that changes nothing.
 */
public final class RuleChanges {

  /** The most failing values an answer lists (failingCount counts them all). */
  static final int MAX_REPORTED = 100;

  private final Guards guards;
  private final GuardStore store;

  public RuleChanges(Guards guards) {
    this.guards = guards;
    this.store = guards.store();
  }

  /** @param environments the environments the schema applies to (every configured one for env "*") */
  public Future<JsonObject> putSchema(String prefix, String env, JsonObject document, String comment, String actor,
                                      boolean enforceExisting, List<String> environments) {
    GuardRules.Schema proposed = guards.compile(new GuardRule(prefix, env, 0, document, null, null, comment,
        Instant.now(), actor, null));
    return guards.failingValues(proposed, environments, MAX_REPORTED).compose(report -> {
      int failing = report.getInteger("failingCount");
      if (enforceExisting && failing > 0) {
        JsonObject first = report.getJsonArray("failing").getJsonObject(0);
        throw new ConfigdException(Failure.SCHEMA_VIOLATION, failing + " current value(s) under '" + prefix
            + "' do not match this schema (the first: '" + first.getString("key") + "' in " + first.getString("env")
            + "); with enforce=existing the schema is refused, and nothing was changed: fix them first, or leave "
            + "enforce out to store it and have only new writes refused", report);
      }
      return store.putSchema(prefix, env, document, comment, actor)
          .onSuccess(stored -> guards.changed())
          .map(stored -> stored.schemaJson().mergeIn(report));
    });
  }

  public Future<GuardRule> putPolicy(String prefix, String env, boolean required, Long expiresInMs, Integer approvals,
                                     String comment, String actor) {
    return store.putPolicy(prefix, env, required, expiresInMs, approvals, comment, actor)
        .onSuccess(stored -> guards.changed());
  }

  /** Records a version that removes the schema (or policy); NOT_FOUND when there is none in force. */
  public Future<GuardRule> remove(boolean schema, String prefix, String env, String comment, String actor) {
    return store.versions(schema, prefix, env, Integer.MAX_VALUE, 1).compose(page -> {
      if (page.items().isEmpty() || !page.items().get(0).present()) {
        throw new ConfigdException(Failure.NOT_FOUND, "there is no " + (schema ? "schema" : "approval policy")
            + " on '" + prefix + "' for " + (env.equals(GuardRule.ALL_ENVIRONMENTS) ? "every environment" : env));
      }
      return schema ? store.putSchema(prefix, env, null, comment, actor)
          : store.putPolicy(prefix, env, null, null, null, comment, actor);
    }).onSuccess(removed -> guards.changed());
  }
}
