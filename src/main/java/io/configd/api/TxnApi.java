package io.configd.api;

import io.configd.cache.CachedReads;
import io.configd.model.Access;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Principal;
import io.configd.store.Transaction;
import io.configd.store.TxnOp;
import io.configd.store.TxnResult;
import io.configd.store.WritePipeline;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * POST /v1/txn?env=: up to maxTxnOps puts, deletes and checks, all recorded in one commit with contiguous revisions,
 * or none. Grants are checked for every op (write for puts and deletes, read for checks) before anything is written;
 * the whole transaction counts as one write against the rate limits. Then it goes through the node's write pipeline,
 * the same door as every other write.
 */
final class TxnApi {

  private final Requests requests;
  private final TxnRequests txnRequests;
  private final WritePipeline writes;
  private final Authentication authentication;
  private final Supplier<CachedReads> reads;

  TxnApi(Requests requests, TxnRequests txnRequests, WritePipeline writes, Authentication authentication,
         Supplier<CachedReads> reads) {
    this.requests = requests;
    this.txnRequests = txnRequests;
    this.writes = writes;
    this.authentication = authentication;
    this.reads = reads;
  }

  void handle(RoutingContext ctx) {
    String env = requests.env(ctx);
    List<TxnOp> ops = txnRequests.ops(ctx);
    Principal principal = Authentication.principal(ctx);
    for (int i = 0; i < ops.size(); i++) {
      TxnOp op = ops.get(i);
      try {
        principal.require(op.kind() == TxnOp.Kind.CHECK ? Access.READ : Access.WRITE, env, op.key());
      } catch (ConfigdException e) {
        throw new ConfigdException(e.failure(), "op " + i + " (" + op.kind().wire() + " '" + op.key() + "'): "
            + e.getMessage() + "; nothing was written", new JsonObject().put("op", i));
      }
    }
    authentication.countWrite(ctx);
    WriteTiming.timed(ctx, writes.stages(), () -> writes.transaction(new Transaction(env, principal.name(), ops)),
            this::cached)
        .onSuccess(result -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json")
            .end(json(env, result).encode()))
        .onFailure(ctx::fail);
  }

  /** Read-your-writes on this node, as for a PUT: the cache hears of every recorded version before the 200. */
  Future<TxnResult> cached(TxnResult result) {
    List<ConfigValue> recorded = result.results().stream().filter(op -> op.recorded() != null)
        .map(op -> op.recorded().withoutTxn()).toList();
    reads.get().written(recorded);
    return Future.succeededFuture(result);
  }

  private static JsonObject json(String env, TxnResult result) {
    JsonArray results = new JsonArray();
    for (TxnResult.OpResult op : result.results()) {
      JsonObject item = new JsonObject().put("op", op.op().kind().wire()).put("key", op.op().key().value())
          .put("version", op.version());
      if (op.recorded() != null) {
        item.put("revision", op.recorded().revision());
      }
      results.add(item);
    }
    return new JsonObject().put("txn", result.txn()).put("env", env).put("revision", result.revision())
        .put("results", results);
  }
}
