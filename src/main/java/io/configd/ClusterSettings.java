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
 * Clustering: on when {@code cluster.members} lists at least one host:port (CONFIGD_CLUSTER_MEMBERS), or when
 * {@code cluster.discovery} is {@code kubernetes}. Members find each other by that list over TCP, or by Hazelcast's
 * Kubernetes discovery in DNS lookup mode: {@code kubernetesServiceDns} names a headless Service whose DNS answers
 * every pod's address (no Kubernetes API access needed). Multicast and auto-detection stay off. {@code port} is this
 * member's Hazelcast port, {@code host} the address it binds and announces, {@code eventBusPort} the Vert.x event
 * bus's port (0: any free one; fix it where a firewall or a Service must name it).
 */
public record ClusterSettings(String name, String host, int port, int eventBusPort, List<String> members,
                              Discovery discovery, String kubernetesServiceDns) {

  /** How members find each other. */
  public enum Discovery { MEMBERS, KUBERNETES }

  public static ClusterSettings from(JsonObject config) {
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    JsonArray members = cluster.getJsonArray("members", new JsonArray());
    String discovery = cluster.getString("discovery", "members");
    Discovery how = switch (discovery) {
      case "members" -> Discovery.MEMBERS;
      case "kubernetes" -> Discovery.KUBERNETES;
      default -> throw new IllegalArgumentException("cluster.discovery is '" + discovery
          + "'; one of members (the list in cluster.members) or kubernetes (cluster.kubernetesServiceDns)");
    };
    String dns = cluster.getString("kubernetesServiceDns", "");
    if (how == Discovery.KUBERNETES && dns.isBlank()) {
      throw new IllegalArgumentException("cluster.discovery kubernetes needs cluster.kubernetesServiceDns: the DNS "
          + "name of the StatefulSet's headless Service, e.g. configd-cluster.default.svc.cluster.local");
    }
    return new ClusterSettings(cluster.getString("name", "configd"), cluster.getString("host", "127.0.0.1"),
        cluster.getInteger("port", 5701), cluster.getInteger("eventBusPort", 0),
        members.stream().map(Object::toString).filter(m -> !m.isBlank()).toList(), how, dns);
  }

  public boolean enabled() {
    return discovery == Discovery.KUBERNETES || !members.isEmpty();
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
    if (discovery == Discovery.KUBERNETES) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", kubernetesServiceDns)
          .setProperty("service-port", String.valueOf(port));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    return config;
  }

  public VertxOptions vertxOptions() {
    EventBusOptions eventBus = new EventBusOptions().setHost(host).setPort(eventBusPort).setClusterPublicHost(host);
    if (eventBusPort > 0) {
      eventBus.setClusterPublicPort(eventBusPort);
    }
    return new VertxOptions().setEventBusOptions(eventBus);
  }

  /** What the start-up log says of how this member joins. */
  public String joinDescription() {
    return discovery == Discovery.KUBERNETES ? "Kubernetes DNS " + kubernetesServiceDns + ":" + port
        : "members " + members;
  }
}
