package io.configd.springcloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.configd.model.ConfigdException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Spring applications mapped onto configd keys")
class SpringCloudSettingsTest {

  private final SpringCloudSettings defaults = SpringCloudSettings.from(new JsonObject(), "n1");

  @Test
  @DisplayName("an application's keys live under services.<application>, and a key tells its application")
  void mapping() {
    assertThat(defaults.basePath()).isEqualTo("/config");
    assertThat(defaults.prefixOf("payment").value()).isEqualTo("services.payment");
    assertThat(defaults.prefixOf("application").value()).isEqualTo("services.application");
    assertThat(defaults.applicationOf("services.payment.pool-size")).contains("payment");
    assertThat(defaults.applicationOf("services.payment")).contains("payment");
    assertThat(defaults.applicationOf("services")).isEmpty();
    assertThat(defaults.applicationOf("other.payment.x")).isEmpty();
    SpringCloudSettings custom = SpringCloudSettings.from(new JsonObject().put("applicationPrefix", "apps.{application}.spring"), "n1");
    assertThat(custom.prefixOf("payment").value()).isEqualTo("apps.payment.spring");
    assertThat(custom.applicationOf("apps.payment.spring.a")).contains("payment");
    assertThat(custom.applicationOf("apps.payment.other")).isEmpty();
  }

  @Test
  @DisplayName("a name that cannot be a key segment, and a template without one whole placeholder, are refused")
  void refusals() {
    assertThatThrownBy(() -> defaults.prefixOf("pay.ment")).isInstanceOf(ConfigdException.class)
        .hasMessageContaining("application 'pay.ment' is not a name");
    assertThatThrownBy(() -> SpringCloudSettings.from(new JsonObject().put("applicationPrefix", "services.x{application}"), "n"))
        .hasMessageContaining("as a whole segment");
    assertThatThrownBy(() -> SpringCloudSettings.from(new JsonObject().put("basePath", "config/"), "n"))
        .hasMessageContaining("spring.basePath");
  }

  @Test
  @DisplayName("the bus event names its type, its origin and the instances of one application, or all for the shared defaults")
  void refreshEvent() {
    JsonObject event = RefreshEvent.forApplication("configd:n1", "payment", 1_700_000_000_000L).toJson();
    assertThat(event.getString("type")).isEqualTo("RefreshRemoteApplicationEvent");
    assertThat(event.getString("destinationService")).isEqualTo("payment:**");
    assertThat(event.getString("originService")).isEqualTo("configd:n1");
    assertThat(event.getString("id")).isNotBlank();
    assertThat(RefreshEvent.forApplication("configd:n1", "application", 1L).destinationService()).isEqualTo("**");
  }
}
