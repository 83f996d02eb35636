package io.configd.guard;

import io.configd.model.ConfigKey;
import io.configd.store.GuardRule;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The schemas and approval policies in force, as one node loaded them: for a key, the nearest prefix's rule wins
 * (the longest prefix the key is under, whole segments), and for the same prefix an environment's own rule wins
 * over the one for every environment ("*"). A removed rule (its newest version deletes it) is not in force.
 */
final class GuardRules {

  /** A schema in force with its compiled validator. */
  record Schema(GuardRule rule, Validator validator) {
  }

  static final GuardRules EMPTY = new GuardRules(List.of(), List.of());

  private final List<Schema> schemas;
  private final List<GuardRule> policies;

  GuardRules(List<Schema> schemas, List<GuardRule> policies) {
    this.schemas = List.copyOf(schemas);
    this.policies = List.copyOf(policies);
  }

  Optional<Schema> schemaFor(String env, ConfigKey key) {
    Schema best = null;
    for (Schema schema : schemas) {
      if (applies(schema.rule(), env, key) && (best == null || nearer(schema.rule(), best.rule()))) {
        best = schema;
      }
    }
    return Optional.ofNullable(best);
  }

  /** The policy in force on the key; empty when none (or the nearest one says no approval is needed). */
  Optional<GuardRule> approvalFor(String env, ConfigKey key) {
    GuardRule best = null;
    for (GuardRule policy : policies) {
      if (applies(policy, env, key) && (best == null || nearer(policy, best))) {
        best = policy;
      }
    }
    return best != null && Boolean.TRUE.equals(best.required()) ? Optional.of(best) : Optional.empty();
  }

  /** The same rules with {@code schema} in place of its (prefix, env)'s current one: what a schema change would do. */
  GuardRules withSchema(Schema schema) {
    List<Schema> changed = new ArrayList<>();
    for (Schema current : schemas) {
      if (!sameScope(current.rule(), schema.rule())) {
        changed.add(current);
      }
    }
    changed.add(schema);
    return new GuardRules(changed, policies);
  }

  private static boolean applies(GuardRule rule, String env, ConfigKey key) {
    return (rule.env().equals(GuardRule.ALL_ENVIRONMENTS) || rule.env().equals(env)) && key.isUnder(rule.prefix());
  }

  private static boolean nearer(GuardRule candidate, GuardRule best) {
    if (candidate.prefix().length() != best.prefix().length()) {
      return candidate.prefix().length() > best.prefix().length();
    }
    return !candidate.env().equals(GuardRule.ALL_ENVIRONMENTS) && best.env().equals(GuardRule.ALL_ENVIRONMENTS);
  }

  private static boolean sameScope(GuardRule a, GuardRule b) {
    return a.prefix().equals(b.prefix()) && a.env().equals(b.env());
  }
}
