package io.configd.springcloud;

import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.configd.model.KeyPrefix;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code spring} section: how Spring applications map onto configd keys, for the Spring Cloud Config routes
 * and the Spring Cloud Bus events. An application's keys live under {@code applicationPrefix} with the name put in for
 * {@code {application}} ({@code payment} → {@code services.payment}); the name {@code application} (the shared
 * defaults every Spring Cloud Config client also reads) maps by the same rule ({@code services.application}).
 *
 * @param basePath          where the Config Server routes are ({@code /config}: {@code GET /config/payment/production})
 * @param applicationPrefix the template, one whole segment being {@code {application}}
 * @param busEnabled        publish a RefreshRemoteApplicationEvent on the bus topic for every change of an application
 * @param busTopic          Spring Cloud Bus's Kafka topic ({@code spring.cloud.bus.destination}, springCloudBus)
 * @param busGroup          the consumer group that reads the change stream to publish those events
 * @param origin            the bus's {@code originService} of configd's events
 */
public record SpringCloudSettings(String basePath, String applicationPrefix, boolean busEnabled, String busTopic,
                                  String busGroup, String origin) {

  public static final String SHARED_APPLICATION = "application";
  private static final String PLACEHOLDER = "{application}";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  public SpringCloudSettings {
    if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
      throw new IllegalArgumentException("spring.basePath: '" + basePath + "' must be empty or /segment[/segment]");
    }
    int at = ("." + applicationPrefix + ".").indexOf("." + PLACEHOLDER + ".");
    if (at < 0 || applicationPrefix.indexOf(PLACEHOLDER) != applicationPrefix.lastIndexOf(PLACEHOLDER)) {
      throw new IllegalArgumentException("spring.applicationPrefix: '" + applicationPrefix + "' must hold "
          + PLACEHOLDER + " once, as a whole segment (e.g. services.{application})");
    }
    KeyPrefix.parse(applicationPrefix.replace(PLACEHOLDER, "x"));
  }

  /** From the {@code spring} section (CONFIGD_SPRING_BASE_PATH, CONFIGD_SPRING_BUS_ENABLED, ...). */
  public static SpringCloudSettings from(JsonObject section, String nodeName) {
    return new SpringCloudSettings(section.getString("basePath", "/config"),
        section.getString("applicationPrefix", "services." + PLACEHOLDER), section.getBoolean("busEnabled", false),
        section.getString("busTopic", "springCloudBus"), section.getString("busGroup", "configd-bus"),
        "configd:" + nodeName);
  }

  /**
   * The key prefix of an application.
   *
   * @throws ConfigdException INVALID_PARAMETER when the name cannot be a key segment
   */
  public KeyPrefix prefixOf(String application) {
    if (application == null || !NAME.matcher(application).matches()) {
      throw new ConfigdException(Failure.INVALID_PARAMETER, "application '" + application + "' is not a name of "
          + "1 to 128 letters, digits, '_' and '-' (it becomes the key prefix " + applicationPrefix + ")");
    }
    return KeyPrefix.parse(applicationPrefix.replace(PLACEHOLDER, application));
  }

  /** The application a key belongs to, by the template: {@code services.payment.pool-size} → payment. */
  public Optional<String> applicationOf(String key) {
    String[] template = applicationPrefix.split("\\.");
    String[] segments = key.split("\\.");
    if (segments.length < template.length) {
      return Optional.empty();
    }
    String application = null;
    for (int i = 0; i < template.length; i++) {
      if (template[i].equals(PLACEHOLDER)) {
        application = segments[i];
      } else if (!template[i].equals(segments[i])) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(application);
  }
}
