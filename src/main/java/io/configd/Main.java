package io.configd;

import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one configd node in the foreground until SIGTERM or Ctrl-C. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Vertx vertx = Vertx.builder().build();
    var environment = System.getenv();
    Node node;
    try {
      var config = NodeConfig.load(vertx, NodeConfig.file(environment), environment).await();
      node = Node.deploy(vertx, config).await();
    } catch (Exception e) {
      LOG.error("configd failed to start: {}", e.getMessage(), e);
      vertx.close();
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping configd");
      node.close().eventually(vertx::close).onComplete(done -> stopped.countDown());
      try {
        if (!stopped.await(30, TimeUnit.SECONDS)) {
          LOG.warn("configd did not stop within 30 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "configd-shutdown"));
  }
}
