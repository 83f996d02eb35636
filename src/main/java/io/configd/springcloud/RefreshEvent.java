package io.configd.springcloud;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Spring Cloud Bus's {@code RefreshRemoteApplicationEvent} as its Kafka binder carries it (JSON, the type by its
 * simple name): an application whose bus id matches {@code destinationService} ({@code payment:**}, or {@code **} for
 * every application) runs its context refresh, which fetches its Environment again from the Config Server routes.
 */
public record RefreshEvent(String originService, String destinationService, String id, long timestamp) {

  public static final String TYPE = "RefreshRemoteApplicationEvent";

  /** The event for one application's instances; {@code application} (the shared defaults) reaches every one. */
  public static RefreshEvent forApplication(String origin, String application, long timestamp) {
    String destination = SpringCloudSettings.SHARED_APPLICATION.equals(application) ? "**" : application + ":**";
    return new RefreshEvent(origin, destination, UUID.randomUUID().toString(), timestamp);
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", TYPE).put("timestamp", timestamp).put("originService", originService)
        .put("destinationService", destinationService).put("id", id);
  }
}
