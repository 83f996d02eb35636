package io.configd.store;

import io.configd.model.Grant;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The tokens configd issued, by the SHA-256 of their secret. */
public final class TokenStore {

  private final Pool pool;

  public TokenStore(Pool pool) {
    this.pool = pool;
  }

  /** What a token's hash resolves to, revoked and expired ones included (the caller says why it refuses them). */
  public record Found(UUID id, String name, List<Grant> grants, Instant expiresAt, Instant revokedAt) {
  }

  public Future<ApiToken> create(String name, String tokenHash, List<Grant> grants, String createdBy, Instant expiresAt) {
    UUID id = UUID.randomUUID();
    Tuple args = Tuple.of(id, name, tokenHash, json(grants), createdBy)
        .addOffsetDateTime(expiresAt == null ? null : expiresAt.atOffset(ZoneOffset.UTC));
    return pool.preparedQuery(SqlQueries.INSERT_TOKEN).execute(args).map(rows -> new ApiToken(id, name, grants,
        rows.iterator().next().getOffsetDateTime("created_at").toInstant(), createdBy, expiresAt, null, null));
  }

  /** Creates the first token when there is none, once however many nodes try at the same time; true if this call did. */
  public Future<Boolean> createFirst(String name, String tokenHash, List<Grant> grants, String createdBy) {
    return pool.withTransaction(conn -> conn.query(SqlQueries.LOCK_BOOTSTRAP).execute()
        .compose(locked -> conn.preparedQuery(SqlQueries.INSERT_TOKEN_IF_NONE)
            .execute(Tuple.of(UUID.randomUUID(), name, tokenHash, json(grants), createdBy)))
        .map(rows -> rows.rowCount() == 1));
  }

  public Future<Optional<Found>> findByHash(String tokenHash) {
    return pool.preparedQuery(SqlQueries.SELECT_TOKEN_BY_HASH).execute(Tuple.of(tokenHash)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      return Optional.of(new Found(row.getUUID("id"), row.getString("name"), ApiToken.grants(row.getString("grants")),
          ApiToken.instant(row, "expires_at"), ApiToken.instant(row, "revoked_at")));
    });
  }

  public Future<Void> touch(UUID id) {
    return pool.preparedQuery(SqlQueries.TOUCH_TOKEN).execute(Tuple.of(id)).mapEmpty();
  }

  /** Tokens in creation order after the one with id {@code after} (null: from the first); next is the last one's id. */
  public Future<Page<ApiToken>> list(UUID after, int limit) {
    return pool.preparedQuery(SqlQueries.SELECT_TOKENS).execute(Tuple.of(after, limit + 1)).map(rows -> {
      List<ApiToken> tokens = new ArrayList<>();
      rows.forEach(row -> tokens.add(ApiToken.from(row)));
      if (tokens.size() <= limit) {
        return new Page<>(tokens, null);
      }
      List<ApiToken> page = tokens.subList(0, limit);
      return new Page<>(List.copyOf(page), page.get(limit - 1).id().toString());
    });
  }

  /** Revokes a token (again is harmless); empty when there is no such token. */
  public Future<Optional<ApiToken>> revoke(UUID id) {
    return pool.preparedQuery(SqlQueries.REVOKE_TOKEN).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(ApiToken.from(rows.iterator().next())));
  }

  private static String json(List<Grant> grants) {
    JsonArray array = new JsonArray();
    grants.forEach(grant -> array.add(grant.toJson()));
    return array.encode();
  }
}
