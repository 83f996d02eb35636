package io.configd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.JoinConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Cluster settings")
class ClusterSettingsTest {

  @Test
  @DisplayName("a member list joins over TCP/IP; no list and no discovery runs alone")
  void membersJoinOverTcp() {
    ClusterSettings alone = ClusterSettings.from(new JsonObject());
    assertThat(alone.enabled()).isFalse();
    ClusterSettings listed = ClusterSettings.from(new JsonObject().put("cluster", new JsonObject()
        .put("members", new JsonArray().add("127.0.0.1:5701").add("127.0.0.1:5702"))));
    JoinConfig join = listed.hazelcastConfig().getNetworkConfig().getJoin();
    assertThat(listed.enabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5701", "127.0.0.1:5702");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("discovery kubernetes turns clustering on with Hazelcast's Kubernetes DNS discovery, and a fixed event-bus port")
  void kubernetesDiscoveryBySetting() {
    ClusterSettings settings = ClusterSettings.from(new JsonObject().put("cluster", new JsonObject()
        .put("discovery", "kubernetes").put("kubernetesServiceDns", "configd-cluster.ops.svc.cluster.local")
        .put("host", "10.0.0.7").put("port", 5701).put("eventBusPort", 5702)));
    JoinConfig join = settings.hazelcastConfig().getNetworkConfig().getJoin();
    assertThat(settings.enabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("configd-cluster.ops.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(settings.vertxOptions().getEventBusOptions().getPort()).isEqualTo(5702);
    assertThat(settings.vertxOptions().getEventBusOptions().getClusterPublicPort()).isEqualTo(5702);
    assertThat(settings.vertxOptions().getEventBusOptions().getClusterPublicHost()).isEqualTo("10.0.0.7");
  }

  @Test
  @DisplayName("an unknown discovery, or kubernetes without the Service's DNS name, is refused with what is allowed")
  void badDiscoveryRefused() {
    assertThatThrownBy(() -> ClusterSettings.from(new JsonObject().put("cluster", new JsonObject()
        .put("discovery", "multicast")))).hasMessageContaining("one of members").hasMessageContaining("kubernetes");
    assertThatThrownBy(() -> ClusterSettings.from(new JsonObject().put("cluster", new JsonObject()
        .put("discovery", "kubernetes")))).hasMessageContaining("cluster.kubernetesServiceDns");
  }
}
