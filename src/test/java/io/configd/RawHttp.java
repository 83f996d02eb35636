package io.configd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain TCP connection for tests that speak to the HTTP port below any HTTP client: slow, malformed, silent. */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;

  private RawHttp(Socket socket) {
    this.socket = socket;
  }

  public static RawHttp connect(int port) throws IOException {
    return connect(port, 0);
  }

  /** @param receiveBufferBytes the socket's receive buffer, set before connecting (0: the system's) */
  public static RawHttp connect(int port, int receiveBufferBytes) throws IOException {
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    return new RawHttp(socket);
  }

  public RawHttp send(String text) throws IOException {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  public RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  public InputStream in() throws IOException {
    return socket.getInputStream();
  }

  /** Reads until the server closes (or resets) the connection; fails when it is still open after {@code within}. */
  public String readUntilClosed(Duration within) throws IOException {
    long deadline = System.nanoTime() + within.toNanos();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[65536];
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("the server did not close the connection within " + within.toSeconds() + " s; read: "
            + out.toString(StandardCharsets.ISO_8859_1));
      }
      socket.setSoTimeout((int) Math.max(1, Math.min(left / 1_000_000, 1_000)));
      try {
        int n = socket.getInputStream().read(buffer);
        if (n < 0) {
          return out.toString(StandardCharsets.ISO_8859_1);
        }
        out.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        // still open: read again until the deadline
      } catch (SocketException e) {
        return out.toString(StandardCharsets.ISO_8859_1) + "<reset>";
      }
    }
  }

  /** Reads one response head (up to the blank line). */
  public String readHead() throws IOException {
    socket.setSoTimeout(30_000);
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = socket.getInputStream().read();
      if (b < 0) {
        throw new AssertionError("the connection closed after " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
