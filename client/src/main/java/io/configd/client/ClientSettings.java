package io.configd.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link ConfigClient} was built with (see {@link ConfigClientBuilder} for each setting's meaning).
 *
 * @param snapshotFile  where the last good values are kept; null keeps none
 * @param bridge        false skips the WebSocket bridge and polls over HTTP only
 * @param token         the bearer token sent on every request and bridge frame; null sends none
 */
record ClientSettings(List<NodeAddress> nodes, List<Watch> watches, Path snapshotFile, Duration backoffInitial,
                      Duration backoffMax, double backoffJitter, Duration syncInterval, Duration pollInterval,
                      Duration pingInterval, Duration requestTimeout, Duration startTimeout,
                      Duration snapshotDebounce, boolean bridge, String token) {

  /** The Authorization header's value, or null without a token. Never logged. */
  String authorization() {
    return token == null ? null : "Bearer " + token;
  }

  @Override
  public String toString() {
    return "ClientSettings[nodes=" + nodes + ", watches=" + watches + ", token=" + (token == null ? "none" : "(set)") + "]";
  }
}
