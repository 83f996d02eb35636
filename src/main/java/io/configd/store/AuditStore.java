package io.configd.store;

import io.configd.model.Grant;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** The audit log: one row per revision, written from the change stream, read by the API. */
public final class AuditStore {

  private final Pool pool;

  public AuditStore(Pool pool) {
    this.pool = pool;
  }

  /** Records the audit rows of these revisions; revisions already recorded are left as they are. */
  public Future<Integer> record(List<Long> revisions) {
    return pool.preparedQuery(SqlQueries.RECORD_AUDIT).execute(Tuple.of(revisions.toArray(Long[]::new)))
        .map(rows -> rows.rowCount());
  }

  /** Audit rows after a revision (the cursor), oldest first; only rows one of {@code readable} covers unless it is null. */
  public Future<Page<AuditEntry>> entries(AuditQuery query, long afterRevision, int limit, List<Grant> readable) {
    Tuple args = Tuple.tuple()
        .addLong(afterRevision)
        .addString(query.env())
        .addString(query.prefix().value()).addString(query.prefix().childrenFrom()).addString(query.prefix().childrenTo())
        .addString(query.actor())
        .addOffsetDateTime(query.since() == null ? null : query.since().atOffset(ZoneOffset.UTC))
        .addInteger(limit + 1)
        .addArrayOfString(readable == null ? null : readable.stream().map(Grant::env).toArray(String[]::new))
        .addArrayOfString(readable == null ? null : readable.stream().map(Grant::prefix).toArray(String[]::new));
    return pool.preparedQuery(SqlQueries.SELECT_AUDIT).execute(args).map(rows -> {
      List<AuditEntry> items = new ArrayList<>();
      for (Row row : rows) {
        items.add(AuditEntry.from(row));
      }
      if (items.size() <= limit) {
        return new Page<>(items, null);
      }
      items.remove(limit);
      return new Page<>(items, Long.toString(items.get(limit - 1).revision()));
    });
  }
}
