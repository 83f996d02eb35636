package io.configd.store;

import io.configd.model.Targeting;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the connected instances watching a rollout's key run, from the cluster's instance registry (their acks): how
 * many run each version, how many the rollout targets and how many of those acknowledged its newest change, and the
 * failures the targeted instances reported against it (acks at or after its first revision): its health signal.
 */
public final class RolloutFleet {

  private final InstanceStore instances;
  private final long staleMillis;

  /** @param staleMillis how long an instance counts as connected since its node last refreshed it */
  public RolloutFleet(Pool pool, long staleMillis) {
    this.instances = new InstanceStore(pool);
    this.staleMillis = staleMillis;
  }

  /** The fleet of one rollout, as GET /v1/rollouts shows it. */
  public record Fleet(int connected, Map<Long, Integer> versions, int targeted, int onRollout, long failures,
                      int failing) {

    public JsonObject toJson() {
      JsonObject byVersion = new JsonObject();
      new TreeMap<>(versions).forEach((version, count) -> byVersion.put(String.valueOf(version), count));
      return new JsonObject().put("connected", connected).put("versions", byVersion).put("targeted", targeted)
          .put("onRollout", onRollout).put("failures", failures).put("failing", failing);
    }
  }

  public Future<Fleet> of(Rollout rollout) {
    Targeting targeting = rollout.targeting();
    return instances.watching(rollout.env(), rollout.key(), staleMillis).map(found -> {
      int connected = 0;
      int targeted = 0;
      int onRollout = 0;
      int failing = 0;
      long failures = 0;
      Map<Long, Integer> versions = new HashMap<>();
      for (KeyInstance instance : found) {
        if (!instance.connected()) {
          continue;
        }
        connected++;
        if (instance.applied() != null) {
          versions.merge(instance.applied(), 1, Integer::sum);
        }
        Map<String, String> labels = new HashMap<>();
        instance.labels().forEach(label -> labels.put(label.getKey(), String.valueOf(label.getValue())));
        if (!rollout.live() || !targeting.matches(rollout.key(), instance.id(), labels)) {
          continue;
        }
        targeted++;
        Long acked = instance.revision();
        if (acked != null && acked >= rollout.revision()) {
          onRollout++;
        }
        if (acked != null && acked >= rollout.firstRevision() && instance.failures() > 0) {
          failures += instance.failures();
          failing++;
        }
      }
      return new Fleet(connected, versions, targeted, onRollout, failures, failing);
    });
  }
}
