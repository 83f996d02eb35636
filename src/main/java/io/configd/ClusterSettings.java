package io.configd;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.util.List;

/**
 * Clustering: on when {@code cluster.members} lists at least one host:port (CONFIGD_CLUSTER_MEMBERS).
 * Members find each other by that list over TCP (multicast and auto-detection off); {@code port} is
 * this member's Hazelcast port, {@code host} the address it binds and announces.
 */
public record ClusterSettings(String name, String host, int port, int eventBusPort, List<String> members) {

  public static ClusterSettings from(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    JsonArray members = cluster.getJsonArray("members", new JsonArray());
    return new ClusterSettings(cluster.getString("name", "configd"), cluster.getString("host", "127.0.0.1"),
        cluster.getInteger("port", 5701), cluster.getInteger("eventBusPort", 0),
        members.stream().map(Object::toString).filter(m -> !m.isBlank()).toList());
  }

  public boolean enabled() {
    return !members.isEmpty();
  }

  /** Vert.x's own Hazelcast defaults (the maps it needs), with our network settings. */
  public Config hazelcastConfig() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(name);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(false).setPublicAddress(host + ":" + port);
    config.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    return config;
  }

  public VertxOptions vertxOptions() {
    return new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host).setPort(eventBusPort)
        .setClusterPublicHost(host));
  }
}
