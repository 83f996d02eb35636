package io.configd.api;

import io.configd.model.Failure;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import java.nio.charset.StandardCharsets;

/**
 * Answers a request line whose version is not HTTP/1.0 or HTTP/1.1 in problem+json: 505 for another HTTP version,
 * 400 for what is not an HTTP version at all, with an HTTP/1.1 status line, then closes. Vert.x answers those with a
 * bare 501 whose status line repeats the client's version, which no client can read. Netty's decoder accepts any
 * {@code NAME/major.minor}, so this handler sits in the connection's pipeline between the decoder and Vert.x (with
 * {@link io.configd.bridge.Abort}, where configd reaches below the Vert.x API).
 */
final class VersionGuard extends ChannelInboundHandlerAdapter {

  private static final String NAME = "configd-version-guard";

  /** Set once a request was refused: what follows on the connection (its body) is dropped until it closes. */
  private boolean refused;

  /** Puts the guard in front of Vert.x on an HTTP/1.x connection (an HTTP/2 connection has no such decoder). */
  static void install(HttpConnection connection) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get("httpDecoder") != null && pipeline.get("handler") != null && pipeline.get(NAME) == null) {
        pipeline.addBefore("handler", NAME, new VersionGuard());
      }
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request && !supported(request.protocolVersion())) {
      refused = true;
      ReferenceCountUtil.release(msg);
      HttpVersion version = request.protocolVersion();
      boolean http = "HTTP".equals(version.protocolName());
      Failure failure = http ? Failure.VERSION_NOT_SUPPORTED : Failure.INVALID_REQUEST;
      String detail = http
          ? version.text() + " is not supported; this server speaks HTTP/1.1 (and HTTP/2 over TLS)"
          : "'" + version.text() + "' is not an HTTP version; the request line ends with HTTP/1.1";
      byte[] body = new JsonObject().put("type", failure.type()).put("title", failure.title())
          .put("status", failure.status()).put("detail", detail).encode().getBytes(StandardCharsets.UTF_8);
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(failure.status()), Unpooled.wrappedBuffer(body));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, Problems.CONTENT_TYPE)
          .set(HttpHeaderNames.CONTENT_LENGTH, body.length).set(HttpHeaderNames.CONNECTION, "close");
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private static boolean supported(HttpVersion version) {
    return version.equals(HttpVersion.HTTP_1_1) || version.equals(HttpVersion.HTTP_1_0);
  }
}
