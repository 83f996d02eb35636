package io.configd.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link ConfigClient} was built with (see {@link ConfigClientBuilder} for each setting's meaning).
 *
 * @param snapshotFile  where the last good values are kept; null keeps none
 * @param bridge        false skips the WebSocket bridge and polls over HTTP only
 */
record ClientSettings(List<NodeAddress> nodes, List<Watch> watches, Path snapshotFile, Duration backoffInitial,
                      Duration backoffMax, double backoffJitter, Duration syncInterval, Duration pollInterval,
                      Duration pingInterval, Duration requestTimeout, Duration startTimeout,
                      Duration snapshotDebounce, boolean bridge) {
}
