package io.configd.bench;

import io.configd.metrics.MetricsSettings;
import io.configd.metrics.NodeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * What Vert.x's per-request HTTP server meters cost one request, in CPU time of the thread that records them (so a
 * loaded machine stretches the wall clock but not the figure): the calls the HTTP server makes for one hot GET
 * (bytes read, request begin and end, response begin and end, bytes written), on the node's registry and options.
 * Run: java -cp target/test-classes:target/classes:$(cat target/bench.classpath) io.configd.bench.HttpMetricsCost
 */
public final class HttpMetricsCost {

  private static final int WARMUP = 2_000_000;
  private static final int MEASURED = 5_000_000;

  private HttpMetricsCost() {
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  public static void main(String[] args) {
    PrometheusMeterRegistry registry = NodeMetrics.newRegistry();
    Vertx vertx = Vertx.builder().with(NodeMetrics.vertxOptions(new VertxOptions(),
            MetricsSettings.from(new io.vertx.core.json.JsonObject())))
        .withMetrics(NodeMetrics.vertxMetrics(registry)).build();
    SocketAddress local = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
    SocketAddress remote = SocketAddress.inetSocketAddress(40000, "127.0.0.1");
    HttpServerMetrics metrics = ((VertxInternal) vertx).metrics().createHttpServerMetrics(new HttpServerOptions(), local);
    Object socket = metrics.connected(remote, "127.0.0.1");
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HttpRequest request = new HttpRequest() {
      public int id() { return 1; }
      public String uri() { return "/v1/config/bench.r.hot.k1?env=production"; }
      public String absoluteURI() { return "http://127.0.0.1:8080" + uri(); }
      public HttpMethod method() { return HttpMethod.GET; }
      public MultiMap headers() { return headers; }
      public SocketAddress remoteAddress() { return remote; }
    };
    HttpResponse response = new HttpResponse() {
      public int statusCode() { return 200; }
      public MultiMap headers() { return headers; }
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    run(metrics, socket, remote, request, response, WARMUP);
    long cpu = threads.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    run(metrics, socket, remote, request, response, MEASURED);
    double cpuNs = (threads.getCurrentThreadCpuTime() - cpu) / (double) MEASURED;
    double wallNs = (System.nanoTime() - wall) / (double) MEASURED;
    System.out.printf("HTTP server meters: %.0f ns CPU per request (%.0f ns wall) over %,d requests; load %s%n",
        cpuNs, wallNs, MEASURED, load());
    System.out.println(registry.scrape().lines().filter(line -> line.startsWith("vertx_http_server_requests_total"))
        .findFirst().orElse("(no vertx_http_server_requests_total)"));
    vertx.close().await();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void run(HttpServerMetrics metrics, Object socket, SocketAddress remote, HttpRequest request,
                          HttpResponse response, int count) {
    for (int i = 0; i < count; i++) {
      metrics.bytesRead(socket, remote, 180);
      Object r = metrics.requestBegin(socket, request);
      metrics.requestEnd(r, request, 0);
      metrics.responseBegin(r, response);
      metrics.responseEnd(r, response, 264);
      metrics.bytesWritten(socket, remote, 420);
    }
  }

  private static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).substring(0, 14).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }
}
