package io.configd.bridge;

import io.configd.model.Addresses;
import io.configd.model.Failure;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/watch} as Server-Sent Events: a bridge session whose socket is an HTTP response. It subscribes
 * through the {@link Fanout} like any socket (the slow-consumer rule, the grants and their recheck are the bridge's),
 * but a live change only wakes it up: it writes the changes since its last event as the catch-up address answers them
 * ({@code configd.changes}, in revision order, complete up to the answer's {@code next}). So every event's id is its
 * revision, everything of the watch before it was sent first, and {@code Last-Event-ID} resumes without a gap or a
 * duplicate, whatever order the partitions delivered the live changes in. A transaction's changes under the watch go
 * in one {@code txn} event (its id the transaction's last revision): a reader applies it as a unit, and a stream cut
 * inside it resumes before it.
 */
final class SseSession extends BridgeSession {

  private static final Logger LOG = LoggerFactory.getLogger(SseSession.class);
  private static final int PAGE = 500;
  private static final String REFUSAL = "{\"type\":\"err\"";

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final String env;
  private final String prefix;
  private final BridgeSettings settings;
  private final BridgeStats stats;
  private final UnaryOperator<JsonObject> shown;
  private long sent;
  private boolean pumping;
  private boolean wokenUp;
  private long heartbeat = -1;
  /** Tells the session registry the client is still there: a stream has no inbound frames to show it. */
  private Runnable seen = () -> { };

  /** @param shown a change as the stream's principal may see it (a secret revealed or masked) */
  SseSession(Vertx vertx, HttpServerRequest request, String env, String prefix, long since, BridgeSettings settings,
             BridgeStats stats, UnaryOperator<JsonObject> shown) {
    this.shown = shown;
    this.vertx = vertx;
    this.request = request;
    this.response = request.response();
    this.env = env;
    this.prefix = prefix;
    this.sent = since;
    this.settings = settings;
    this.stats = stats;
    response.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
  }

  /** Sends the stream's headers, starts the heartbeat and the first catch-up. */
  void start(Runnable seen) {
    this.seen = seen;
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        // never compressed: a compressor may hold an event back until more bytes come
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader("X-Accel-Buffering", "no");
    response.write("retry: " + settings.sseRetryMillis() + "\n: watching " + env + ":" + (prefix.isEmpty() ? "*" : prefix)
        + " after revision " + sent + "\n\n");
    heartbeat = vertx.setPeriodic(settings.sseHeartbeatMillis(), id -> beat());
    pump();
  }

  @Override
  String messageType() {
    return "message";
  }

  @Override
  String transport() {
    return "sse";
  }

  /**
   * What the fan-out writes (a change of the watch happened: the catch-up writes it, in order), or what the bridge
   * writes itself: a refusal (a token that expired or was revoked), an error event, then the end.
   */
  @Override
  void write(String json) {
    if (json.startsWith(REFUSAL)) {
      error(json);
    } else if (pumping) {
      wokenUp = true;
    } else {
      pump();
    }
  }

  private void error(String json) {
    if (!closed()) {
      response.write("event: error\ndata: " + json + "\n\n");
      close();
    }
  }

  @Override
  WriteStream<?> stream() {
    return response;
  }

  @Override
  SocketAddress address() {
    return request.remoteAddress();
  }

  @Override
  void closeSocket() {
    vertx.cancelTimer(heartbeat);
    request.connection().close();
  }

  @Override
  void abortSocket() {
    vertx.cancelTimer(heartbeat);
    Abort.connection(request.connection());
  }

  @Override
  void listen(Consumer<String> frames, Runnable closed) {
    response.closeHandler(v -> {
      vertx.cancelTimer(heartbeat);
      closed.run();
    });
    response.exceptionHandler(failure -> LOG.debug("Watch stream to {} failed: {}", remote(), failure.toString()));
  }

  /** A comment line keeps proxies from timing the stream out, and tells the bridge the client is still there. */
  private void beat() {
    if (closed() || slow()) {
      return;
    }
    seen.run();
    response.write(": heartbeat\n\n");
  }

  private void pump() {
    if (closed()) {
      return;
    }
    pumping = true;
    wokenUp = false;
    JsonObject ask = new JsonObject().put("env", env).put("prefix", prefix).put("since", sent).put("limit", PAGE);
    // a rollout's change is for the instances it targets: the catch-up answers for this watch's instance
    instance().ifPresent(named -> ask.put("instance", named.toJson()));
    vertx.eventBus().<JsonObject>request(Addresses.CHANGES, ask,
            new DeliveryOptions().setSendTimeout(settings.requestTimeoutMillis()).setLocalOnly(true))
        .onSuccess(answer -> {
          pumping = false;
          JsonObject page = answer.body();
          JsonArray items = page.getJsonArray("items", new JsonArray());
          Long epoch = page.getLong("epoch");
          if (closed() || slow()) {
            return;
          }
          // the page's events in one chunk: one socket write for a transaction or a burst
          StringBuilder events = new StringBuilder();
          int delivered = 0;
          for (int i = 0; i < items.size(); ) {
            JsonObject change = shown.apply(items.getJsonObject(i)).put("epoch", epoch);
            JsonObject txn = change.getJsonObject("txn");
            if (txn == null) {
              long revision = change.getLong("revision");
              events.append("id: ").append(revision).append("\nevent: change\ndata: ").append(change.encode())
                  .append("\n\n");
              delivered++;
              sent = revision;
              i++;
              continue;
            }
            // a transaction's changes under the watch are consecutive in the page, and the page holds all of them
            JsonArray changes = new JsonArray().add(change);
            for (i++; i < items.size() && txn.getLong("id").equals(txnId(items.getJsonObject(i))); i++) {
              changes.add(shown.apply(items.getJsonObject(i)).put("epoch", epoch));
            }
            long last = txn.getLong("last");
            JsonObject event = new JsonObject().put("txn", txn.copy()).put("epoch", epoch).put("changes", changes);
            events.append("id: ").append(last).append("\nevent: txn\ndata: ").append(event.encode()).append("\n\n");
            delivered += changes.size();
            sent = last;
          }
          if (delivered > 0) {
            response.write(events.toString());
            stats.delivered.add(delivered);
          }
          sent = Math.max(sent, page.getLong("next", sent));
          seen.run();
          if (page.getBoolean("more", false) || wokenUp) {
            pump();
          }
        })
        .onFailure(failure -> {
          pumping = false;
          LOG.info("Closing the watch stream of {}: the catch-up failed ({})", remote(), failure.getMessage());
          boolean compacted = failure instanceof ReplyException reply
              && reply.failureCode() == Failure.REVISION_COMPACTED.code();
          error(FrameCodec.refusal(compacted ? "revision_compacted" : "unavailable", failure.getMessage()));
        });
  }

  private static Long txnId(JsonObject change) {
    JsonObject txn = change.getJsonObject("txn");
    return txn == null ? null : txn.getLong("id");
  }

  /** The bridge's slow-consumer rule: a client that lets its write queue fill is closed, to reconnect and resume. */
  private boolean slow() {
    if (!writeQueueFull()) {
      return false;
    }
    LOG.info("Aborting slow watch stream {}: its write queue is full (it will reconnect and resume)", remote());
    stats.slowClosed.increment();
    abort();
    return true;
  }
}
