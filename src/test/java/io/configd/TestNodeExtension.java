package io.configd;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node for a whole test class, in a Vert.x of its own, isolated by the class's name (its own schema,
 * topic, groups, Redis namespace and ports): {@code @RegisterExtension static final TestNodeExtension NODE =
 * new TestNodeExtension("MyTest");}
 */
public final class TestNodeExtension implements BeforeAllCallback, AfterAllCallback {

  private final String isolation;
  private final Consumer<JsonObject> adjust;
  private Vertx vertx;
  private TestNode node;

  public TestNodeExtension(String isolation) {
    this(isolation, config -> { });
  }

  /** @param adjust changes the node configuration before the node starts (an extra environment, limits) */
  public TestNodeExtension(String isolation, Consumer<JsonObject> adjust) {
    this.isolation = isolation;
    this.adjust = adjust;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    vertx = Vertx.vertx();
    JsonObject config = TestServices.nodeConfig(isolation);
    adjust.accept(config);
    node = TestNode.start(vertx, config).await();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (node != null) {
        node.stop().await();
      }
    } finally {
      vertx.close().await();
    }
  }

  /** Starts the node again after a test stopped it, with the same configuration and ports. */
  public void startAgain() {
    node = TestNode.start(vertx, node.config()).await();
  }

  public TestNode node() {
    return node;
  }

  /** The Vert.x the node runs in, for the test's own clients. */
  public Vertx vertx() {
    return vertx;
  }
}
