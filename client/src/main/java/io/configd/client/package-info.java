/**
 * The configd client for services: {@link io.configd.client.ConfigClient}, the artifact io.configd:configd-client.
 * Depends on configd-model (the wire model it shares with the server), vertx-core (with its Netty and jackson-core)
 * and the SLF4J API only: never on the server's packages, never on a logging binding (the client's pom checks its
 * tree with the enforcer plugin).
 *
 * <p>How it stays correct (DESIGN.md invariants 3 and 4): it registers on the bridge before it asks for a
 * snapshot or for the changes since its watermark; it drops any change at or below the key's high-water
 * revision or the watermark of a watch covering the key; its watermark comes from a completed snapshot or
 * catch-up answer and then from each live change (a node releases changes in global revision order, so the newest
 * revision seen on a connection that is in step is a valid resume point, or the frame's {@code resumeAfter} when
 * lower: a revision the node gave up has not come yet); it catches up again every sync interval
 * and after every reconnect.
 */
package io.configd.client;
