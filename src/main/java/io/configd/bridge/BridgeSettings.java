package io.configd.bridge;

import io.configd.model.Environments;
import io.vertx.core.json.JsonObject;

/**
 * Limits and ports of the event-bus bridge: the {@code bridge} section of the configuration.
 *
 * @param tcpPort              port of the TCP event-bus bridge; 0 picks a free one, -1 turns it off
 * @param writeQueueMaxBytes   bytes a socket may have waiting to be written before it counts as slow and is closed
 * @param sseHeartbeatMillis   how often a watch stream (GET /v1/watch) gets a comment line when nothing changes
 * @param sseRetryMillis       the reconnect delay a watch stream tells its client ({@code retry:})
 * @param sendBufferBytes      the kernel send buffer (SO_SNDBUF) of every HTTP and TCP-bridge socket: what a client
 *                             that stops reading holds in the kernel, on top of the write queue (Linux doubles it)
 * @param traceHops            whether change frames carry the change path's times (header configd-trace), for bin/bench
 */
public record BridgeSettings(String tcpHost, int tcpPort, int maxAddressLength, int maxHandlersPerSocket,
                             int maxFrameBytes, int idleTimeoutSeconds, int writeQueueMaxBytes,
                             int requestTimeoutMillis, int maxInvalidFrames, int sseHeartbeatMillis,
                             int sseRetryMillis, int sendBufferBytes, boolean traceHops, Environments environments) {

  public static BridgeSettings from(JsonObject bridge, Environments environments) {
    return new BridgeSettings(
        bridge.getString("tcpHost", "0.0.0.0"),
        bridge.getInteger("tcpPort", 7000),
        bridge.getInteger("maxAddressLength", 300),
        bridge.getInteger("maxHandlersPerSocket", 64),
        bridge.getInteger("maxFrameBytes", 64 * 1024),
        bridge.getInteger("idleTimeoutSeconds", 60),
        bridge.getInteger("writeQueueMaxBytes", 256 * 1024),
        bridge.getInteger("requestTimeoutMillis", 10_000),
        bridge.getInteger("maxInvalidFrames", 3),
        bridge.getInteger("sseHeartbeatMillis", 15_000),
        bridge.getInteger("sseRetryMillis", 2_000),
        bridge.getInteger("sendBufferBytes", 64 * 1024),
        bridge.getBoolean("traceHops", false),
        environments);
  }
}
