package io.configd.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileProps;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's certificate, key and client CA, read from their PEM files, and read again when a file's modification
 * time or size changes: the listeners then get the new options ({@code updateSSLOptions}), which new connections use;
 * open connections keep theirs. A reload that fails (a half-written file) keeps the old certificate and is retried.
 */
public final class ServerCertificates {

  private static final Logger LOG = LoggerFactory.getLogger(ServerCertificates.class);

  private final Vertx vertx;
  private final TlsSettings settings;
  private List<String> stamps = List.of();
  private long timer = -1;

  public ServerCertificates(Vertx vertx, TlsSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Reads the files and sets TLS on these listener options (HTTP or TCP). */
  public Future<Void> configure(NetServerOptions options) {
    return stamps().compose(current -> read().map(ssl -> {
      stamps = current;
      options.setSsl(true).setKeyCertOptions(ssl.getKeyCertOptions());
      if (ssl.getTrustOptions() != null) {
        options.setTrustOptions(ssl.getTrustOptions()).setClientAuth(ClientAuth.REQUIRED);
      }
      return null;
    }));
  }

  /** Every tls.reloadMillis, when a file changed: reads them again and hands the new options to {@code apply}. */
  public void watch(Function<ServerSSLOptions, Future<?>> apply) {
    timer = vertx.setPeriodic(settings.reloadMillis(), id -> stamps().onSuccess(current -> {
      if (current.equals(stamps)) {
        return;
      }
      read().compose(ssl -> apply.apply(ssl).map(ssl))
          .onSuccess(ssl -> {
            stamps = current;
            LOG.info("TLS certificate reloaded from {}: new connections get it", settings.certFile());
          })
          .onFailure(failure -> LOG.warn("TLS certificate files changed but could not be loaded ({}); still serving "
              + "the previous certificate, retrying in {} ms", failure.toString(), settings.reloadMillis()));
    }));
  }

  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private Future<ServerSSLOptions> read() {
    var fs = vertx.fileSystem();
    Future<Buffer> cert = fs.readFile(settings.certFile());
    Future<Buffer> key = fs.readFile(settings.keyFile());
    Future<Buffer> ca = settings.clientCaFile() == null ? Future.succeededFuture() : fs.readFile(settings.clientCaFile());
    return Future.all(cert, key, ca).map(read -> {
      ServerSSLOptions ssl = new ServerSSLOptions()
          .setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert.result()).setKeyValue(key.result()));
      if (ca.result() != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertValue(ca.result())).setClientAuth(ClientAuth.REQUIRED);
      }
      return ssl;
    });
  }

  /** Modification time and size of each file: what tells a replaced file. */
  private Future<List<String>> stamps() {
    List<Future<FileProps>> props = new ArrayList<>();
    for (String file : files()) {
      props.add(vertx.fileSystem().props(file));
    }
    return Future.all(props).map(all -> props.stream()
        .map(p -> p.result().lastModifiedTime() + ":" + p.result().size()).toList());
  }

  private List<String> files() {
    return settings.clientCaFile() == null ? List.of(settings.certFile(), settings.keyFile())
        : List.of(settings.certFile(), settings.keyFile(), settings.clientCaFile());
  }
}
