package io.configd.api;

import io.configd.auth.ClientAddresses;
import io.configd.auth.AuthSettings;
import io.configd.auth.Authenticator;
import io.configd.auth.JwtVerifier;
import io.configd.auth.RateLimits;
import io.configd.auth.TokenCache;
import io.configd.bridge.Bridge;
import io.configd.bridge.BridgeSettings;
import io.configd.bridge.BridgeStats;
import io.configd.cache.CacheAnswer;
import io.configd.cache.CacheListing;
import io.configd.cache.CachedEntry;
import io.configd.cache.CachedReads;
import io.configd.cache.SharedCache;
import io.configd.instances.InstanceBook;
import io.configd.instances.InstancesSettings;
import io.configd.metrics.MetricsEndpoint;
import io.configd.model.Access;
import io.configd.model.Addresses;
import io.configd.model.ConfigKey;
import io.configd.model.ConfigValue;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.Grant;
import io.configd.model.Instance;
import io.configd.model.KeyPrefix;
import io.configd.model.Principal;
import io.configd.model.RevisionCompactedException;
import io.configd.secrets.Secrets;
import io.configd.springcloud.SpringCloudSettings;
import io.configd.store.AuditStore;
import io.configd.store.ChangePage;
import io.configd.stream.TxnCounts;
import io.configd.store.ConfigStore;
import io.configd.store.InstanceStore;
import io.configd.store.Page;
import io.configd.store.RolloutFleet;
import io.configd.store.RolloutStore;
import io.configd.store.TokenStore;
import io.configd.store.Write;
import io.configd.store.HeldForApproval;
import io.configd.store.WritePipeline;
import io.configd.guard.Approvals;
import io.configd.guard.Guards;
import io.configd.tls.ServerCertificates;
import io.configd.tls.TlsSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API: validates requests at the edge, writes through the store, answers in JSON or problem+json. */
public class ApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);
  private static final String JSON = "application/json";
  /** Stats and status come from this node's own verticles, quickly or not at all. */
  private static final DeliveryOptions STATS_REQUEST = new DeliveryOptions().setLocalOnly(true).setSendTimeout(2_000);
  /** Set to true on an answer served from a cache while PostgreSQL is unreachable (see CacheVerticle). */
  static final String STALE_HEADER = "X-Configd-Stale";

  /**
   * What every API instance of one node shares, built once by the node.
   *
   * @param jwt          null when the node accepts no JWTs
   * @param spring       the Spring Cloud Config routes' mapping (and the bus', which the node deploys)
   * @param lifecycle    where the node stands, for /ready and the shutdown
   * @param writes       the node's one write pipeline: every write path goes through it
   * @param metrics      GET /metrics
   * @param instances    the instances connected to this node (bridge hellos, reads that name one, acks)
   * @param instanceSettings how long an instance counts as connected without news from its node
   * @param guards       the schemas and approval policies the write pipeline enforces, and their routes'
   * @param secrets      reveals a sealed secret to a reader with secret access, masks it for any other
   */
  public record Shared(ApiSettings settings, BridgeSettings bridge, AuthSettings auth, Pool pool, TokenCache tokens,
                       RateLimits limits, JwtVerifier jwt, BridgeStats bridgeStats, SharedCache cache,
                       SpringCloudSettings spring, TlsSettings tls, NodeLifecycle lifecycle,
                       WritePipeline writes, MetricsEndpoint metrics, InstanceBook instances,
                       InstancesSettings instanceSettings, Guards guards, Approvals approvals, Secrets secrets,
                       ConcurrentMap<String, AtomicInteger> connections) {

    /** The same with a fresh table of open connections per address (one per node). */
    public Shared(ApiSettings settings, BridgeSettings bridge, AuthSettings auth, Pool pool, TokenCache tokens,
                  RateLimits limits, JwtVerifier jwt, BridgeStats bridgeStats, SharedCache cache,
                  SpringCloudSettings spring, TlsSettings tls, NodeLifecycle lifecycle, WritePipeline writes,
                  MetricsEndpoint metrics, InstanceBook instances, InstancesSettings instanceSettings, Guards guards,
                  Approvals approvals, Secrets secrets) {
      this(settings, bridge, auth, pool, tokens, limits, jwt, bridgeStats, cache, spring, tls, lifecycle, writes,
          metrics, instances, instanceSettings, guards, approvals, secrets, HttpGuard.connectionTable());
    }
  }

  private final Shared shared;
  private final ApiSettings settings;
  private final Requests requests;
  private final ConfigStore store;
  private final WritePipeline writes;
  private final AuditStore audit;
  private final Secrets secrets;
  private final RolloutStore rollouts;
  private CachedReads reads;
  private HttpServer server;
  private HttpServer healthServer;
  private ServerCertificates certificates;
  private Bridge bridge;
  private Authentication authentication;
  private ClientAddresses addresses;
  private AccessLog accessLog;
  private TokensApi tokens;
  private TxnApi txn;
  private Router router;

  public ApiVerticle(Shared shared) {
    this.shared = shared;
    this.settings = shared.settings();
    this.requests = new Requests(settings.environments(), settings.maxValueBytes());
    this.store = new ConfigStore(shared.pool());
    this.writes = shared.writes();
    this.audit = new AuditStore(shared.pool());
    this.secrets = shared.secrets();
    this.rollouts = new RolloutStore(shared.pool(), shared.writes());
  }

  @Override
  public Future<?> start() {
    reads = new CachedReads(vertx, shared.cache());
    TokenStore tokenStore = new TokenStore(shared.pool());
    tokens = new TokensApi(vertx, tokenStore, settings.environments(), requests);
    Authenticator authenticator = new Authenticator(tokenStore, shared.jwt(), shared.tokens());
    addresses = new ClientAddresses(settings.trustedProxies());
    accessLog = new AccessLog(settings.accessLog(), addresses);
    authentication = new Authentication(authenticator, shared.limits(), addresses);
    txn = new TxnApi(requests, new TxnRequests(requests, settings.maxTxnOps(), settings.maxValueBytes()), writes,
        authentication, () -> reads);
    bridge = new Bridge(vertx, shared.bridge(), authenticator, shared.limits(), shared.auth(), shared.bridgeStats(),
        shared.instances(), addresses, secrets);
    vertx.eventBus().<JsonObject>consumer(Addresses.TOKEN_REVOKED, message -> {
      authenticator.revoked(message.body().getString("id"));
      bridge.recheckAll();
    });
    return listen(shared.bridge());
  }

  private Future<?> listen(BridgeSettings bridgeSettings) {
    HttpServerOptions options = new HttpServerOptions().setHost(settings.host()).setPort(settings.port())
        .setCompressionSupported(true)
        .setMaxInitialLineLength(ApiSettings.MAX_INITIAL_LINE).setMaxHeaderSize(ApiSettings.MAX_HEADER_BYTES)
        .setIdleTimeout(settings.idleTimeoutSeconds())
        // with h2c on, Vert.x hands over the connection only once a whole request head arrived: the head timeout
        // (HttpGuard) could never start for a client that never finishes one. HTTP/2 stays available over TLS (ALPN).
        .setHttp2ClearTextEnabled(false)
        // the kernel's share of a client that stops reading: bounded, not autotuned to megabytes (see Fanout)
        .setSendBufferSize(bridgeSettings.sendBufferBytes())
        .setMaxWebSocketFrameSize(bridgeSettings.maxFrameBytes())
        .setMaxWebSocketMessageSize(bridgeSettings.maxFrameBytes())
        // Browsers and Node's ws offer permessage-deflate; accepting it costs a zlib stream per socket
        // (~150 KB native each, 1.7 GB at 10,000 subscribers, see BENCHMARKS.md) and a compression per
        // socket per change, for frames of a few hundred bytes. Refused, clients fall back to plain frames.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
    vertx.eventBus().localConsumer(Addresses.BRIDGE_DISCONNECT_ALL, message -> bridge.disconnectAll());
    HttpGuard guard = new HttpGuard(vertx, settings, shared.connections());
    TlsSettings tls = shared.tls();
    certificates = tls.enabled() ? new ServerCertificates(vertx, tls) : null;
    Future<Void> secured = certificates == null ? Future.succeededFuture() : certificates.configure(options);
    return secured
        .compose(v -> vertx.createHttpServer(options).connectionHandler(guard::connected)
            .invalidRequestHandler(guard::invalid).requestHandler(guard.requests(router())).listen())
        .onSuccess(listening -> server = listening)
        .compose(listening -> bridge.startTcp(certificates))
        .compose(v -> listenForHealth(tls))
        .onSuccess(v -> {
          if (certificates != null) {
            certificates.watch(ssl -> server.updateSSLOptions(ssl).compose(updated -> bridge.updateSsl(ssl)));
          }
          LOG.info("HTTP API and bridge listening on {}:{}{}, TCP bridge on {}", settings.host(), server.actualPort(),
              tls.enabled() ? " (TLS only)" : "", bridge.tcpPort());
        });
  }

  /** With tls.healthPort: plain HTTP on loopback, /health and /ready only, for probes that do not hold the CA. */
  private Future<Void> listenForHealth(TlsSettings tls) {
    if (tls.healthPort() < 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.route().handler(accessLog::handle);
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    router.route().failureHandler(this::failure);
    router.errorHandler(404, Problems::handle);
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(tls.healthPort()))
        .requestHandler(router).listen()
        .onSuccess(listening -> healthServer = listening)
        .mapEmpty();
  }

  private void health(RoutingContext ctx) {
    json(ctx, 200, new JsonObject().put("status", "UP"));
  }

  /**
   * Bridge clients are told to reconnect elsewhere (close code 1001), then the server stops accepting and lets the
   * requests in flight finish, for up to the lifecycle's grace, before it closes its connections.
   */
  @Override
  public Future<?> stop() {
    if (certificates != null) {
      certificates.close();
    }
    Future<Void> bridgeClosed = bridge == null ? Future.succeededFuture() : bridge.close();
    return bridgeClosed.eventually(() -> server == null ? Future.succeededFuture()
            : server.shutdown(shared.lifecycle().requestGrace().toMillis(), TimeUnit.MILLISECONDS))
        .eventually(() -> healthServer == null ? Future.succeededFuture() : healthServer.close());
  }

  public int actualPort() {
    return server.actualPort();
  }

  public int bridgeTcpPort() {
    return bridge.tcpPort();
  }

  /** The plain loopback port of /health and /ready (tls.healthPort), or -1. */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.actualPort();
  }

  /** The routes this instance serves, for the check that the OpenAPI document names each (OpenApiTest). */
  public List<Route> routes() {
    return router.getRoutes();
  }

  private Router router() {
    router = Router.router(vertx);
    router.route().handler(accessLog::handle);
    router.route().handler(Requests::checkParameters);
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
    bridge.mount(router);
    Console.mount(router);
    ProblemPages.mount(router);
    // the API's OpenAPI 3.1 document, kept by hand in src/main/resources beside these routes (OpenApiTest checks both)
    router.get("/openapi.json").handler(ctx -> ctx.response().putHeader("Content-Type", JSON).sendFile("openapi.json"));
    mountMetrics(router);

    router.route("/v1/*").handler(authentication::handle);
    // a transaction's body holds many values: its own limit (the next BodyHandler sees the body is read)
    router.post("/v1/txn").handler(BodyHandler.create(false).setBodyLimit(settings.maxTxnBytes()));
    router.post("/v1/import").handler(BodyHandler.create(false).setBodyLimit(settings.maxTxnBytes()));
    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(settings.maxBodyBytes()));
    router.get("/v1/stats/bridge").handler(ctx -> {
      Authentication.principal(ctx).requireRoot("node statistics");
      json(ctx, 200, shared.bridgeStats().toJson());
    });
    router.get("/v1/stats/jvm").handler(ctx -> {
      Authentication.principal(ctx).requireRoot("node statistics");
      json(ctx, 200, jvmStats());
    });
    router.get("/v1/stats/writes").handler(ctx -> {
      Authentication.principal(ctx).requireRoot("node statistics");
      json(ctx, 200, writes.stats());
    });
    router.get("/v1/stats/propagation").handler(ctx -> stats(ctx, Addresses.PROPAGATION_STATS));
    router.get("/v1/stats/cluster").handler(ctx -> stats(ctx, Addresses.CLUSTER_STATS));
    router.get("/v1/secrets/status").handler(ctx -> stats(ctx, Addresses.SECRETS_STATUS));
    router.get("/v1/whoami").handler(this::whoami);
    router.put("/v1/config/:key").handler(this::put);
    router.get("/v1/config/:key").handler(this::get);
    router.delete("/v1/config/:key").handler(this::delete);
    router.get("/v1/config/:key/versions").handler(this::versions);
    router.get("/v1/config/:key/versions/:version").handler(this::version);
    router.post("/v1/config/:key/rollback").handler(this::rollback);
    router.post("/v1/txn").handler(txn::handle);
    router.get("/v1/config").handler(this::entries);
    router.get("/v1/changes").handler(this::changes);
    router.get("/v1/watch").handler(this::watch);
    router.get("/v1/audit").handler(this::audit);
    router.get("/v1/stats/publisher").handler(ctx -> stats(ctx, Addresses.PUBLISHER_STATUS));
    router.get("/v1/stats/cache").handler(ctx -> stats(ctx, Addresses.CACHE_STATS));
    router.post("/v1/tokens").handler(tokens::create);
    router.get("/v1/tokens").handler(tokens::list);
    router.delete("/v1/tokens/:id").handler(tokens::revoke);
    new SpringCloudConfigApi(shared.spring(), settings.environments(), store, authentication, secrets).mount(router);
    new ExportImportApi(requests, store, writes, authentication, txn::cached, settings.maxTxnOps(), secrets)
        .mount(router);
    new RolloutsApi(requests, rollouts, authentication, this::cached,
        new RolloutFleet(shared.pool(), shared.instanceSettings().staleMillis())).mount(router);
    new InstancesApi(requests, settings.environments(), new InstanceStore(shared.pool()), store, shared.instances(),
        shared.instanceSettings()).mount(router);
    new GuardsApi(requests, settings.environments(), shared.guards(), shared.approvals(), authentication, this::cached,
        txn::cached, store, secrets).mount(router);

    router.route().failureHandler(this::failure);
    router.errorHandler(404, Problems::handle);
    router.errorHandler(405, Problems::handle);
    return router;
  }

  /** GET /metrics: the metrics token, or else a token with admin on every key (the API's own authentication). */
  private void mountMetrics(Router router) {
    MetricsEndpoint metrics = shared.metrics();
    router.get(MetricsEndpoint.PATH).handler(ctx -> {
      if (metrics.hasMetricsToken(ctx)) {
        metrics.serve(ctx);
      } else {
        authentication.handle(ctx);
      }
    }).handler(ctx -> {
      Authentication.principal(ctx).requireRoot("node metrics");
      metrics.serve(ctx);
    });
  }

  private void put(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    String actor = mayWrite(ctx, env, key);
    var precondition = requests.precondition(ctx);
    Requests.WriteBody body = requests.writeBody(ctx);
    written(ctx, new Write(env, key, body.encodedValue(), false, body.critical(), body.comment(), actor, precondition,
            body.secret(), null))
        .onSuccess(entry -> sendWritten(ctx, entry))
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    String actor = mayWrite(ctx, env, key);
    var precondition = requests.precondition(ctx);
    written(ctx, new Write(env, key, null, true, null, ctx.request().getParam("comment"), actor, precondition))
        .onSuccess(entry -> sendRecorded(ctx, entry, 200))
        .onFailure(ctx::fail);
  }

  private void rollback(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    String actor = mayWrite(ctx, env, key);
    var precondition = requests.precondition(ctx);
    Requests.RollbackBody body = requests.rollbackBody(ctx);
    writes.rollback(env, key, body.version(), body.comment(), actor, precondition)
        .compose(this::cached)
        .onSuccess(value -> sendValue(ctx, shown(ctx, value)))
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    Authentication.principal(ctx).require(Access.READ, env, key);
    int notModifiedIf = requests.ifNoneMatchVersion(ctx);
    Optional<Instance> instance = reader(ctx, env, key.value());
    reads.read(env, key).onComplete(read -> {
      if (read.failed()) {
        ctx.fail(read.cause());
        return;
      }
      CacheAnswer answer = read.result();
      if (answer.stale()) {
        ctx.response().putHeader(STALE_HEADER, "true");
      }
      CachedEntry entry = answer.entry();
      if (entry == null || entry.value().deleted()) {
        ctx.fail(notFound(key, env));
      } else if (instance.isPresent()) {
        // a read naming its instance gets the value a live rollout targets it with, if one does
        rollouts.liveValues(env, KeyPrefix.parse(key.value()))
            .map(live -> RolloutStore.overlay(List.of(entry.value()), live, instance.get()).get(0))
            .onSuccess(value -> {
              if (value.rollout() == null) {
                sendEntry(ctx, entry, notModifiedIf);
              } else { // no ETag: the version is the released one's, which this value is not
                json(ctx, 200, shown(ctx, value).toJson());
              }
            })
            .onFailure(ctx::fail);
      } else {
        sendEntry(ctx, entry, notModifiedIf);
      }
    });
  }

  /**
   * The cached entry as it was encoded when it entered the cache, or 304 when the client holds that version; a secret
   * is opened (or masked) for the reader, since its cached body holds the ciphertext.
   */
  private void sendEntry(RoutingContext ctx, CachedEntry entry, int notModifiedIf) {
    if (entry.version() == notModifiedIf) {
      ctx.response().setStatusCode(304).putHeader("ETag", entry.etag()).end();
    } else if (entry.value().secret()) {
      ctx.response().putHeader("ETag", entry.etag());
      json(ctx, 200, shown(ctx, entry.value()).toJson());
    } else {
      ctx.response().putHeader("ETag", entry.etag()).putHeader("Content-Type", JSON).end(entry.body());
    }
  }


  /**
   * Tells this node's cache about a committed write before the client hears of it, so that the next read here
   * returns it (read-your-writes). The write stands whatever the cache answers.
   */
  private Future<ConfigValue> cached(ConfigValue value) {
    return reads.told(value);
  }

  /**
   * A PUT's or DELETE's write, committed and told to the cache, timed stage by stage (GET /v1/stats/writes), as the
   * entry the near cache holds.
   */
  private Future<CachedEntry> written(RoutingContext ctx, Write write) {
    return WriteTiming.timed(ctx, writes.stages(), () -> writes.write(write), reads::toldEntry);
  }

  private void version(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    Authentication.principal(ctx).require(Access.READ, env, key);
    int version = requests.versionParam(ctx);
    store.version(env, key, version)
        .map(found -> found.orElseThrow(() -> new ConfigdException(Failure.NOT_FOUND,
            "key '" + key + "' has no version " + version + " in " + env)))
        .onSuccess(value -> json(ctx, 200, shown(ctx, value).toJson()))
        .onFailure(ctx::fail);
  }

  private void versions(RoutingContext ctx) {
    String env = requests.env(ctx);
    ConfigKey key = requests.key(ctx);
    Authentication.principal(ctx).require(Access.READ, env, key);
    int limit = requests.limit(ctx);
    String cursor = requests.cursor(ctx);
    int before = cursor == null ? Integer.MAX_VALUE : cursorVersion(cursor);
    store.versions(env, key, before, limit)
        .map(page -> {
          if (page.items().isEmpty() && cursor == null) {
            throw notFound(key, env);
          }
          return pageJson(page, Authentication.principal(ctx)).put("key", key.value()).put("env", env);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void entries(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    List<String> readable = Authentication.principal(ctx).readableUnder(env, prefix);
    int limit = requests.limit(ctx);
    String after = requests.cursor(ctx);
    Optional<Instance> instance = reader(ctx, env, prefix.value());
    reads.list(new CacheListing(env, prefix, after == null ? "" : after, limit, readable))
        .compose(page -> instance.isEmpty() ? Future.succeededFuture(page) : rollouts.liveValues(env, prefix)
            .map(live -> new Page<>(RolloutStore.overlay(page.items(), live, instance.get()), page.next())))
        .map(page -> pageJson(page, Authentication.principal(ctx)).put("env", env).put("prefix", prefix.value()))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void changes(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    List<String> readable = Authentication.principal(ctx).readableUnder(env, prefix);
    long since = requests.since(ctx);
    int limit = requests.limit(ctx);
    Optional<Instance> instance = reader(ctx, env, prefix.value());
    store.changes(env, prefix, since, limit, readable)
        .map(page -> changesJson(page, instance.orElse(null), Authentication.principal(ctx)).put("env", env)
            .put("prefix", prefix.value())
            .put("since", since))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /**
   * Server-Sent Events of every change under the prefix after {@code since} (or the {@code Last-Event-ID} header,
   * which a reconnecting EventSource sends and which wins), event id = revision. A revision past the head is one this
   * database never had (a restored one, another deployment), and an {@code epoch} that is not the database's is
   * another history (a restored database): 410 snapshot-required; changes pruned after {@code since}: 410
   * revision-compacted. Either way, take a snapshot.
   */
  private void watch(RoutingContext ctx) {
    String env = requests.env(ctx);
    KeyPrefix prefix = requests.prefix(ctx);
    long since = requests.since(ctx, ctx.request().getHeader("Last-Event-ID"));
    Long epoch = requests.epoch(ctx);
    Authentication.principal(ctx).requireAll(Access.READ, env, prefix.value());
    store.head().onSuccess(head -> {
      String snapshot = ": take a snapshot (GET /v1/config?env=" + env + "&prefix=" + prefix.value() + ") and watch "
          + "from its revision";
      if (epoch != null && epoch != head.epoch()) {
        ctx.fail(new ConfigdException(Failure.SNAPSHOT_REQUIRED, "epoch " + epoch + " is not this database's epoch "
            + head.epoch() + " (it was restored)" + snapshot));
      } else if (since > head.revision()) {
        ctx.fail(new ConfigdException(Failure.SNAPSHOT_REQUIRED, "revision " + since + " is past this server's head "
            + head.revision() + snapshot));
      } else if (since < head.compactedRevision()) {
        ctx.fail(new RevisionCompactedException(since, head.oldestRevision()));
      } else {
        bridge.watch(ctx.request(), Authentication.principal(ctx), ctx.request().getHeader("Authorization"), env,
            prefix, since, Requests.instance(ctx).orElse(null));
      }
    }).onFailure(ctx::fail);
  }

  private void audit(RoutingContext ctx) {
    List<Grant> readable = Authentication.principal(ctx).readGrants();
    if (readable != null && readable.isEmpty()) {
      throw new ConfigdException(Failure.FORBIDDEN, "'" + Authentication.principal(ctx).name()
          + "' is authenticated but lacks read access on any key, which the audit log needs");
    }
    Requests.AuditRequest request = requests.audit(ctx);
    audit.entries(request.query(), request.afterRevision(), request.limit(), readable)
        .map(page -> {
          JsonArray items = new JsonArray();
          page.items().forEach(entry -> items.add(entry.toJson()));
          return new JsonObject().put("items", items).put("next", Requests.encodeCursor(page.next()));
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** Who the token is and what it may do, with the environments of the deployment: what the console offers. */
  private void whoami(RoutingContext ctx) {
    Principal principal = Authentication.principal(ctx);
    JsonArray grants = new JsonArray();
    principal.grants().forEach(grant -> grants.add(grant.toJson()));
    json(ctx, 200, new JsonObject().put("name", principal.name()).put("tokenId", principal.tokenId())
        .put("grants", grants).put("expiresAt", principal.expiresAt() == null ? null : principal.expiresAt().toString())
        .put("environments", new JsonArray(List.copyOf(settings.environments().names()))));
  }

  private Future<JsonObject> publisherStatus() {
    return vertx.eventBus().<JsonObject>request(Addresses.PUBLISHER_STATUS, null, STATS_REQUEST).map(reply -> reply.body());
  }

  /**
   * Ready means "can serve": every verticle deployed and the node not stopping. PostgreSQL down does not make it
   * unready, since cached reads are still answered (marked stale): the status says DEGRADED and why. Kafka being down
   * does not either (writes still commit), but the relay backlog shows it.
   */
  private void ready(RoutingContext ctx) {
    NodeLifecycle.State state = shared.lifecycle().state();
    Future<Object> publisher = publisherStatus().<Object>map(status -> status)
        .otherwise(failure -> "UNKNOWN: " + failure.getMessage());
    publisher.onComplete(checked -> {
      boolean pgUp = reads.postgresql().up(); // the cache's probe: every second, and every read it makes
      JsonObject checks = new JsonObject().put("postgresql", reads.postgresql().status()).put("node", state.name());
      boolean ready = state == NodeLifecycle.State.SERVING;
      JsonObject body = new JsonObject().put("status", !ready ? "DOWN" : pgUp ? "UP" : "DEGRADED").put("checks", checks);
      if (ready && !pgUp) {
        body.put("degraded", "PostgreSQL is unreachable: keys held by the near cache or Redis are answered, marked "
            + STALE_HEADER + ": true; writes, listings and uncached keys answer 503 until it is back");
      }
      json(ctx, ready ? 200 : 503, body.put("publisher", publisher.result()));
    });
  }

  /**
   * The instance a read names (its instance, app and labels parameters or headers), which then counts as connected
   * to this node while it keeps reading; empty for an anonymous read.
   */
  private Optional<Instance> reader(RoutingContext ctx, String env, String prefix) {
    Optional<Instance> instance = Requests.instance(ctx);
    instance.ifPresent(named -> shared.instances().read(named, env, prefix));
    return instance;
  }

  /** Checks the principal may write the key and is within its write limits; returns it as the change's actor. */
  private String mayWrite(RoutingContext ctx, String env, ConfigKey key) {
    Principal principal = Authentication.principal(ctx);
    principal.require(Access.WRITE, env, key);
    authentication.countWrite(ctx);
    return principal.name();
  }

  /** Answers with what a node-local stats address replies; node statistics are for admins of everything. */
  private void stats(RoutingContext ctx, String address) {
    Authentication.principal(ctx).requireRoot("node statistics");
    vertx.eventBus().<JsonObject>request(address, null, STATS_REQUEST)
        .onSuccess(reply -> json(ctx, 200, reply.body()))
        .onFailure(ctx::fail);
  }

  private void failure(RoutingContext ctx) {
    if (ctx.failure() instanceof HeldForApproval held) {
      // an approval policy holds the write, whichever route it came by: 202 with the pending change
      ctx.response().putHeader("Location", "/v1/pending/" + held.pending().getString("id"));
      json(ctx, 202, held.pending());
    } else if (ctx.failure() == null && ctx.statusCode() == 413 && ctx.request().path().equals("/v1/import")) {
      Problems.send(ctx, Failure.VALUE_TOO_LARGE, "the import's body is larger than " + settings.maxTxnBytes()
          + " bytes; import a narrower prefix at a time");
    } else if (ctx.failure() == null && ctx.statusCode() == 413 && ctx.request().path().equals("/v1/txn")) {
      Problems.send(ctx, Failure.VALUE_TOO_LARGE, "the transaction's body is larger than " + settings.maxTxnBytes()
          + " bytes; split it (each value may be at most " + settings.maxValueBytes() + " bytes encoded)");
    } else if (ctx.failure() == null && ctx.statusCode() == 413) {
      Problems.send(ctx, Failure.VALUE_TOO_LARGE, "the request body is larger than " + settings.maxBodyBytes()
          + " bytes; a value may be at most " + settings.maxValueBytes() + " bytes encoded");
    } else {
      Problems.handle(ctx);
    }
  }

  private static int cursorVersion(String cursor) {
    try {
      return Integer.parseInt(cursor);
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "cursor is not one this server returned");
    }
  }

  private static ConfigdException notFound(ConfigKey key, String env) {
    return new ConfigdException(Failure.NOT_FOUND, "key '" + key + "' does not exist in " + env);
  }

  private static String etag(ConfigValue value) {
    return "\"" + value.version() + "\"";
  }

  private static void sendValue(RoutingContext ctx, ConfigValue value) {
    ctx.response().putHeader("ETag", etag(value));
    json(ctx, 200, value.toJson());
  }

  /** A PUT that wrote the key's first version created it: 201 with its Location; any later version is 200. */
  private void sendWritten(RoutingContext ctx, CachedEntry entry) {
    ConfigValue value = entry.value();
    if (value.version() != 1) {
      sendRecorded(ctx, entry, 200);
      return;
    }
    ctx.response().putHeader("Location", "/v1/config/" + value.key() + "?env=" + value.env());
    sendRecorded(ctx, entry, 201);
  }

  /**
   * The version a write recorded: the body the near cache holds for it (the entry, encoded once for both), or for a
   * secret the version revealed or masked for the reader, since that body holds the ciphertext.
   */
  private void sendRecorded(RoutingContext ctx, CachedEntry entry, int status) {
    ctx.response().putHeader("ETag", entry.etag());
    if (entry.value().secret()) {
      json(ctx, status, shown(ctx, entry.value()).toJson());
    } else {
      ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(entry.body());
    }
  }

  /** A version as the request's principal may see it (a secret revealed or masked). */
  private ConfigValue shown(RoutingContext ctx, ConfigValue value) {
    return secrets.forReader(value, Authentication.principal(ctx));
  }

  private JsonObject pageJson(Page<ConfigValue> page, Principal reader) {
    JsonArray items = new JsonArray();
    page.items().forEach(value -> items.add(secrets.forReader(value, reader).toJson()));
    return new JsonObject().put("items", items).put("next", Requests.encodeCursor(page.next()));
  }

  /**
   * The changes a reader receives: a rollout's change only for an instance it targets (an anonymous reader, null,
   * gets released versions only); {@code next} still moves past the others. A secret is revealed or masked for it.
   */
  private JsonObject changesJson(ChangePage page, Instance instance, Principal reader) {
    JsonArray items = new JsonArray();
    page.items().stream().filter(value -> RolloutStore.reaches(value, instance))
        .forEach(value -> items.add(secrets.forReader(value, reader).toChangeJson()));
    return new JsonObject().put("items", TxnCounts.put(items)).put("next", page.next()).put("head", page.head()).put("more", page.more())
        .put("epoch", page.epoch());
  }

  /** Heap and GC figures of this process, for the benchmark's memory-per-subscriber measurement. */
  private static JsonObject jvmStats() {
    var heap = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long gcCount = 0;
    long gcMillis = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      gcCount += Math.max(0, gc.getCollectionCount());
      gcMillis += Math.max(0, gc.getCollectionTime());
    }
    return new JsonObject().put("pid", ProcessHandle.current().pid())
        .put("jvm", Runtime.version().toString()).put("processors", Runtime.getRuntime().availableProcessors())
        .put("heapUsed", heap.getUsed()).put("heapCommitted", heap.getCommitted()).put("heapMax", heap.getMax())
        .put("gcCount", gcCount).put("gcMillis", gcMillis)
        // how warm the node is: a fresh node spends its first minutes compiling its hot paths (C2)
        .put("uptimeMs", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime())
        .put("jitMillis", java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(body.encode());
  }
}
