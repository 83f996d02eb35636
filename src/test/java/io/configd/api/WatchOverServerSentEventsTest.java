package io.configd.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.configd.Eventually;
import io.configd.Problem;
import io.configd.TcpProxy;
import io.configd.TestNodeExtension;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /v1/watch: the change stream as Server-Sent Events, for curl and for languages without a bridge client. */
@DisplayName("Watching over Server-Sent Events")
class WatchOverServerSentEventsTest {

  @RegisterExtension
  static final TestNodeExtension NODE = new TestNodeExtension("WatchOverServerSentEventsTest");

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** One SSE event as a reader sees it. */
  private record Event(long id, String type, JsonObject data) {
  }

  /**
   * An EventSource in a thread: reads the stream, and when it ends reconnects with the last id it saw as
   * Last-Event-ID, as browsers do, after the server's retry delay would have passed (its own short one here).
   */
  private static final class Reader implements AutoCloseable {

    final List<Event> events = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger ends = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Stream<String> current;

    Reader(String url, String token, long since) {
      thread = new Thread(() -> {
        Long lastId = null;
        while (running) {
          HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + (lastId == null ? "&since=" + since : "")))
              .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
          if (lastId != null) {
            request.header("Last-Event-ID", Long.toString(lastId));
          }
          try {
            HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
              throw new IOException("status " + response.statusCode());
            }
            connections.incrementAndGet();
            current = response.body();
            Long id = null;
            String type = null;
            String data = null;
            for (String line : (Iterable<String>) current::iterator) {
              if (line.isEmpty()) {
                if (data != null) {
                  events.add(new Event(id == null ? -1 : id, type, new JsonObject(data)));
                  lastId = id != null ? id : lastId;
                }
                id = null;
                type = null;
                data = null;
              } else if (line.startsWith("id: ")) {
                id = Long.parseLong(line.substring(4));
              } else if (line.startsWith("event: ")) {
                type = line.substring(7);
              } else if (line.startsWith("data: ")) {
                data = line.substring(6);
              }
            }
          } catch (IOException | RuntimeException e) {
            // the connection was cut: reconnect below
          } catch (InterruptedException e) {
            return;
          }
          ends.incrementAndGet();
          try {
            Thread.sleep(50); // the client's reconnect delay (an EventSource waits the server's retry: value)
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "sse-reader");
      thread.setDaemon(true);
      thread.start();
    }

    List<Long> revisions() {
      return events.stream().filter(e -> "change".equals(e.type())).map(Event::id).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      Stream<String> stream = current;
      if (stream != null) {
        stream.close();
      }
      thread.interrupt();
      thread.join(5000);
    }
  }

  private static long head() {
    return NODE.node().get("/v1/changes?env=production&since=0&limit=1").bodyAsJsonObject().getLong("head");
  }

  @Test
  @DisplayName("1,000 changes with the connection cut twice arrive every one once, in revision order, resumed by Last-Event-ID")
  void resumesWithoutGaps() throws Exception {
    String token = NODE.node().createToken("sse-reader", "production", "watch.sse", "read");
    TcpProxy proxy = new TcpProxy(NODE.vertx());
    int port = proxy.start("127.0.0.1", NODE.node().port()).await();
    List<Long> written = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstCutDone = new CountDownLatch(1);
    Thread writer = new Thread(() -> {
      for (int i = 1; i <= 1000; i++) {
        if (i == 301) {
          try {
            firstCutDone.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            return;
          }
        }
        JsonObject stored = NODE.node().put("watch.sse.k" + (i % 10), "production", i).bodyAsJsonObject();
        written.add(stored.getLong("revision"));
      }
    }, "sse-writer");
    try (Reader reader = new Reader("http://127.0.0.1:" + port + "/v1/watch?env=production&prefix=watch.sse", token, head())) {
      Eventually.await("the stream to open", WAIT, () -> reader.connections.get() == 1);
      writer.start();
      Eventually.await("the first 300 changes (have " + reader.revisions().size() + ")", WAIT,
          () -> reader.revisions().size() >= 300);

      proxy.cut().await();
      Eventually.await("the reader to see the first cut", WAIT, () -> reader.ends.get() >= 1);
      firstCutDone.countDown();
      Eventually.await("changes written while the reader is cut off", WAIT, () -> written.size() >= 600);
      proxy.restore();

      Eventually.await("700 changes (have " + reader.revisions().size() + ")", WAIT, () -> reader.revisions().size() >= 700);
      proxy.cut().await();
      Eventually.await("the reader to see the second cut", WAIT, () -> reader.ends.get() >= 2);
      proxy.restore();

      writer.join(TimeUnit.SECONDS.toMillis(WAIT.toSeconds()));
      Eventually.await("all 1,000 changes (have " + reader.revisions().size() + ")", WAIT,
          () -> reader.revisions().size() >= 1000);
      List<Long> revisions = reader.revisions();
      assertThat(revisions).hasSize(1000).isSorted().doesNotHaveDuplicates();
      assertThat(revisions).containsExactlyElementsOf(written.stream().sorted().toList());
      assertThat(reader.connections.get()).isGreaterThanOrEqualTo(3);
      Event last = reader.events.get(reader.events.size() - 1);
      assertThat(last.data().getString("key")).startsWith("watch.sse.k");
      assertThat(last.data().getLong("revision")).isEqualTo(last.id());
    } finally {
      writer.interrupt();
      proxy.close().await();
    }
  }

  @Test
  @DisplayName("a transaction's changes under the watch come in one txn event, whose id is the transaction's last revision")
  void transactionInOneEvent() throws Exception {
    String token = NODE.node().createToken("sse-txn", "production", "watch.txn", "read");
    try (Reader reader = new Reader("http://127.0.0.1:" + NODE.node().port() + "/v1/watch?env=production&prefix=watch.txn",
        token, head())) {
      Eventually.await("the stream to open", WAIT, () -> reader.connections.get() == 1);
      long before = NODE.node().put("watch.txn.single", "production", 1).bodyAsJsonObject().getLong("revision");
      io.vertx.core.json.JsonArray ops = new io.vertx.core.json.JsonArray()
          .add(new JsonObject().put("op", "put").put("key", "watch.txn.a").put("value", 2))
          .add(new JsonObject().put("op", "put").put("key", "watch.other.x").put("value", 2))
          .add(new JsonObject().put("op", "put").put("key", "watch.txn.b").put("value", 2))
          .add(new JsonObject().put("op", "put").put("key", "watch.other.y").put("value", 2));
      var txn = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/txn?env=production",
          new JsonObject().put("ops", ops));
      assertThat(txn.statusCode()).as(txn.bodyAsString()).isEqualTo(200);
      long id = txn.bodyAsJsonObject().getLong("txn");
      long last = txn.bodyAsJsonObject().getLong("revision");
      long after = NODE.node().put("watch.txn.single", "production", 3).bodyAsJsonObject().getLong("revision");
      Eventually.await("three events (have " + reader.events + ")", WAIT, () -> reader.events.size() >= 3);

      assertThat(reader.events).extracting(Event::type).containsExactly("change", "txn", "change");
      assertThat(reader.events).extracting(Event::id).containsExactly(before, last, after);
      JsonObject event = reader.events.get(1).data();
      assertThat(event.getJsonObject("txn").getLong("id")).isEqualTo(id);
      assertThat(event.getJsonObject("txn").getLong("last")).isEqualTo(last);
      assertThat(event.getJsonObject("txn").getInteger("count")).as("the changes under the watch").isEqualTo(2);
      assertThat(event.getJsonArray("changes").stream().map(c -> ((JsonObject) c).getString("key")))
          .containsExactly("watch.txn.a", "watch.txn.b");
      assertThat(event.getJsonArray("changes").stream().map(c -> ((JsonObject) c).getLong("revision")))
          .containsExactly(id, id + 2);
      assertThat(event.getValue("epoch")).isNotNull().isEqualTo(reader.events.get(0).data().getValue("epoch"));
    }
  }

  @Test
  @DisplayName("a token without read on the prefix gets a 403 problem, a revision past the head a 410, a bad one a 400")
  void refusals() {
    String elsewhere = NODE.node().createToken("sse-elsewhere", "production", "watch.other", "read");
    Problem.assertProblem(NODE.node().as(elsewhere).get("/v1/watch?env=production&prefix=watch.sse"), 403, "forbidden");
    Problem.assertProblem(NODE.node().get("/v1/watch?env=production&prefix=watch.sse&since=" + (head() + 1000)), 410,
        "snapshot-required");
    Problem.assertProblem(NODE.node().get("/v1/watch?env=production&prefix=watch.sse", "Last-Event-ID", "abc"), 400,
        "invalid-parameter");
    Problem.assertProblem(NODE.node().get("/v1/watch?env=prod&prefix=watch.sse"), 400, "unknown-environment");
  }

  @Test
  @DisplayName("a reader that stops reading is aborted once its write queue is full: the server holds no more for it")
  void slowReaderIsClosed() throws Exception {
    long slowBefore = NODE.node().get("/v1/stats/bridge").bodyAsJsonObject().getLong("slowClosed");
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", NODE.node().port()), 2000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v1/watch?env=production&prefix=watch.slow&since=" + head() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + NODE.node().adminToken() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String big = "x".repeat(64 * 1024);
      Eventually.await("the stream to be subscribed", WAIT,
          () -> NODE.node().get("/v1/stats/bridge").bodyAsJsonObject().getLong("subscriptions") > 0);
      int written = 0;
      while (NODE.node().get("/v1/stats/bridge").bodyAsJsonObject().getLong("slowClosed") == slowBefore) {
        assertThat(written).as("changes written before the slow reader was closed").isLessThan(2000);
        NODE.node().put("watch.slow.k" + (written % 20), "production", big + written);
        written++;
      }
      // The server aborted the connection (an RST: a close would wait behind the full queue), so reading ends in a
      // reset, or in an end of stream once what the kernel had already delivered is read.
      socket.setSoTimeout((int) WAIT.toMillis());
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64 * 1024];
      long read = 0;
      try {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          read += n;
        }
      } catch (java.net.SocketException reset) {
        // the abort's RST
      }
      assertThat(read).as("bytes the reader got before the close").isLessThan((long) written * big.length());
    }
  }

  @Test
  @DisplayName("the README's Python example (examples/sse/watch.py, standard library only) follows changes")
  void pythonExample() throws Exception {
    String token = NODE.node().createToken("sse-python", "production", "watch.python", "read");
    ProcessBuilder builder = new ProcessBuilder("python3", "examples/sse/watch.py", "http://127.0.0.1:" + NODE.node().port(),
        "production", "watch.python", Long.toString(head())).redirectErrorStream(true);
    builder.environment().put("CONFIGD_TOKEN", token);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("python3 is needed for this test: apt-get install python3", e);
    }
    List<JsonObject> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        out.lines().forEach(line -> lines.add(line.startsWith("{") ? new JsonObject(line) : new JsonObject().put("output", line)));
      } catch (IOException e) {
        lines.add(new JsonObject().put("output", e.toString()));
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      for (int i = 1; i <= 3; i++) {
        NODE.node().put("watch.python.k", "production", i);
      }
      io.vertx.core.json.JsonArray ops = new io.vertx.core.json.JsonArray()
          .add(new JsonObject().put("op", "put").put("key", "watch.python.k").put("value", 4))
          .add(new JsonObject().put("op", "put").put("key", "watch.python.j").put("value", 5));
      var txn = NODE.node().call(io.vertx.core.http.HttpMethod.POST, "/v1/txn?env=production",
          new JsonObject().put("ops", ops));
      assertThat(txn.statusCode()).as(txn.bodyAsString()).isEqualTo(200);
      Eventually.await("the five changes from the Python example (" + lines + ")", WAIT, () -> lines.size() >= 5);
      assertThat(lines).extracting(line -> line.getValue("value")).containsExactly(1, 2, 3, 4, 5);
      assertThat(lines).extracting(line -> line.getValue("txn"))
          .containsExactly(null, null, null, txn.bodyAsJsonObject().getValue("txn"), txn.bodyAsJsonObject().getValue("txn"));
    } finally {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
