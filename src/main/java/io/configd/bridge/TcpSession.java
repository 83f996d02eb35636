package io.configd.bridge;

import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * A client of the TCP bridge, framed as vertx-tcp-eventbus-bridge frames them: a 4-byte big-endian
 * length, then that many bytes of UTF-8 JSON. A length over the frame limit closes the socket.
 */
final class TcpSession extends BridgeSession {

  private final NetSocket socket;
  private final int maxFrameBytes;

  TcpSession(NetSocket socket, BridgeSettings settings) {
    this.socket = socket;
    this.maxFrameBytes = settings.maxFrameBytes();
    socket.setWriteQueueMaxSize(settings.writeQueueMaxBytes());
  }

  @Override
  void listen(Consumer<String> frames, Runnable closed) {
    RecordParser parser = RecordParser.newFixed(4);
    parser.handler(new io.vertx.core.Handler<>() {
      private int length = -1;

      @Override
      public void handle(Buffer record) {
        if (length < 0) {
          length = record.getInt(0);
          if (length <= 0 || length > maxFrameBytes) {
            write("{\"type\":\"err\",\"body\":\"frame_too_large\",\"message\":\"frames are limited to "
                + maxFrameBytes + " bytes\"}");
            close();
            return;
          }
          parser.fixedSizeMode(length);
        } else {
          length = -1;
          parser.fixedSizeMode(4);
          frames.accept(record.toString(StandardCharsets.UTF_8));
        }
      }
    });
    socket.handler(parser);
    socket.exceptionHandler(failure -> socket.close());
    socket.closeHandler(v -> closed.run());
  }

  @Override
  String transport() {
    return "tcp";
  }

  @Override
  String messageType() {
    return "message";
  }

  @Override
  void write(String json) {
    writeAll(List.of(json));
  }

  /** Every frame length-prefixed in one buffer: one socket write (and flush) for all of them. */
  @Override
  void writeAll(List<String> frames) {
    List<byte[]> encoded = frames.stream().map(json -> json.getBytes(StandardCharsets.UTF_8)).toList();
    Buffer buffer = Buffer.buffer(encoded.stream().mapToInt(bytes -> 4 + bytes.length).sum());
    encoded.forEach(bytes -> buffer.appendInt(bytes.length).appendBytes(bytes));
    socket.write(buffer);
  }

  @Override
  WriteStream<?> stream() {
    return socket;
  }

  @Override
  SocketAddress address() {
    return socket.remoteAddress();
  }

  @Override
  void closeSocket() {
    socket.close();
  }

  @Override
  void abortSocket() {
    Abort.socket(socket);
  }
}
