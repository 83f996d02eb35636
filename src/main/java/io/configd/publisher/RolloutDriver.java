package io.configd.publisher;

import io.configd.cache.CachedReads;
import io.configd.store.HeldForApproval;
import io.configd.store.Rollout;
import io.configd.store.RolloutFleet;
import io.configd.store.RolloutStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves rollout plans on, on the publisher's leader only: every tick it marks the rollouts a newer released version
 * superseded, and takes the next step of each active plan whose current step has baked (by the database's clock), or
 * promotes it after its last step. Everything it decides is in PostgreSQL, and each step is taken only from the step
 * it was read at (a conditional update in the step's own transaction): a leader killed mid-plan hands over to the next
 * one, which goes on from the same step, with nothing skipped and nothing taken twice. A promotion tells this node's
 * cache of the version it wrote, as a PUT does: a read here after the plan shows promoted answers the promoted value.
 */
final class RolloutDriver {

  private static final Logger LOG = LoggerFactory.getLogger(RolloutDriver.class);
  private static final int BATCH = 100;
  static final String ACTOR = "configd-rollout";

  private final Vertx vertx;
  private final RolloutStore rollouts;
  private final CachedReads cache;
  private final RolloutFleet fleet;
  private final long tickMs;
  private final String node;
  private long timer = -1;
  private boolean busy;
  private String lastProblem;

  RolloutDriver(Vertx vertx, RolloutStore rollouts, CachedReads cache, RolloutFleet fleet, long tickMs, String node) {
    this.vertx = vertx;
    this.rollouts = rollouts;
    this.cache = cache;
    this.fleet = fleet;
    this.tickMs = tickMs;
    this.node = node;
  }

  /** This node leads: plans move on from here. */
  void start() {
    if (timer < 0) {
      timer = vertx.setPeriodic(tickMs, id -> tick());
      LOG.info("Node '{}' drives the rollout plans", node);
    }
  }

  /** This node no longer leads (or stops): the tick in flight finishes, no other starts. */
  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void tick() {
    if (busy || timer < 0) {
      return;
    }
    busy = true;
    rollouts.supersedeStale(BATCH, ACTOR)
        .compose(superseded -> rollouts.guarded(BATCH))
        .compose(this::checkHealth)
        .compose(checked -> rollouts.due(BATCH))
        .compose(this::advanceEach)
        .onComplete(done -> {
          busy = false;
          if (done.failed()) {
            String problem = done.cause().toString();
            if (!problem.equals(lastProblem)) {
              LOG.warn("Rollout plans not advanced this round: {}", problem);
            }
            lastProblem = problem;
          } else {
            lastProblem = null;
          }
        });
  }

  /**
   * Rolls back each guarded rollout whose targeted instances reported more failures against it than its threshold
   * (before any step is taken in the same tick: a failing step never widens).
   */
  private Future<Void> checkHealth(List<Long> guarded) {
    Future<Void> chain = Future.succeededFuture();
    for (long id : guarded) {
      chain = chain.compose(v -> checkHealth(id).recover(failure -> {
        LOG.warn("Health of rollout {} not checked: {}", id, failure.toString());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  private Future<Void> checkHealth(long id) {
    return rollouts.get(id).compose(rollout -> {
      if (rollout.state() != Rollout.State.ACTIVE || rollout.failureThreshold() == null) {
        return Future.succeededFuture();
      }
      return fleet.of(rollout).compose(health -> {
        if (health.failures() <= rollout.failureThreshold()) {
          return Future.<Void>succeededFuture();
        }
        String why = health.failures() + " failures reported by " + health.failing() + " of the "
            + health.targeted() + " targeted instances, over the threshold of " + rollout.failureThreshold();
        LOG.warn("Rolling back rollout {} of '{}' in {}: {}", id, rollout.key(), rollout.env(), why);
        return rollouts.abort(id, Rollout.State.ROLLED_BACK, why, ACTOR).<Void>mapEmpty();
      });
    });
  }

  /** One after the other: a plan's step is one transaction, and plans are few. */
  private Future<Void> advanceEach(List<RolloutStore.Due> due) {
    Future<Void> chain = Future.succeededFuture();
    for (RolloutStore.Due next : due) {
      chain = chain.compose(v -> timer < 0 ? Future.succeededFuture() : advance(next).recover(failure -> {
        LOG.warn("Rollout {} not advanced from step {}: {}", next.id(), next.step() + 1, failure.toString());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  private Future<Void> advance(RolloutStore.Due due) {
    return rollouts.get(due.id()).compose(rollout -> {
      if (rollout.state() != Rollout.State.ACTIVE || rollout.step() == null || rollout.step() != due.step()) {
        return Future.succeededFuture();
      }
      List<Rollout.Step> steps = new ArrayList<>(rollout.steps());
      int next = due.step() + 1;
      if (next >= steps.size()) {
        return rollouts.promote(rollout.id(), rollout.createdBy(), "rollout " + rollout.id() + " promoted: its plan's "
                + "last step baked", cache::told)
            .onSuccess(promoted -> LOG.info("Rollout {} of '{}' in {} promoted as version {}", rollout.id(),
                rollout.key(), rollout.env(), promoted.promotedVersion()))
            // an approval policy holds the promotion: the plan waits, paused, instead of proposing it every tick
            .recover(failure -> failure instanceof HeldForApproval held
                ? rollouts.pause(rollout.id(), "its promotion waits for approval: pending change "
                    + held.pending().getValue("id"), ACTOR).<Rollout>mapEmpty()
                : Future.failedFuture(failure))
            .mapEmpty();
      }
      return rollouts.retarget(rollout.id(), rollout.targeting().withBasisPoints(steps.get(next).basisPoints()),
              due.step(), rollout.createdBy(), "automatic")
          .onSuccess(moved -> moved.ifPresent(r -> LOG.info("Rollout {} of '{}' in {} at step {} of {}", r.id(),
              r.key(), r.env(), next + 1, steps.size())))
          .mapEmpty();
    });
  }
}
