package io.configd.bridge;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Drops a connection at once, with what waits to be written. Vert.x's close() and shutdown() both flush the write
 * queue before they close, which never ends for a client that stopped reading; so the Netty channel is closed
 * directly at its transport (with api/VersionGuard, where configd reaches below the Vert.x API), with SO_LINGER 0: an RST, and the kernel frees the
 * bytes queued for the client at once instead of holding them for a peer that will not read them.
 */
final class Abort {

  private Abort() {
  }

  static void connection(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      drop(base.channel());
    } else {
      connection.close();
    }
  }

  static void socket(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      drop(internal.channelHandlerContext().channel());
    } else {
      socket.close();
    }
  }

  /**
   * Closes at the transport, under the pipeline: channel.close() would pass through Vert.x's handlers, which turn it
   * into the same flush-then-close.
   */
  private static void drop(Channel channel) {
    Runnable close = () -> {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
      channel.unsafe().close(channel.unsafe().voidPromise());
    };
    if (channel.eventLoop().inEventLoop()) {
      close.run();
    } else {
      channel.eventLoop().execute(close);
    }
  }
}
