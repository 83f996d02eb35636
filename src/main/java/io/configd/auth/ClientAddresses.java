package io.configd.auth;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client's address: the peer's, unless the peer is a trusted proxy ({@code http.trustedProxies}, addresses and
 * CIDRs); then the {@code Forwarded} (RFC 7239) or else {@code X-Forwarded-For} chain is read from the right, past
 * every trusted proxy, and the first address that is not one is the client. A hop that is not an IP address ends the
 * walk at the proxy that reported it. With no trusted proxy the headers are ignored, whoever sends them.
 */
public final class ClientAddresses {

  private static final String KEY = "configd.clientAddress";
  private final List<Cidr> trusted;

  public ClientAddresses(List<String> trustedProxies) {
    this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
  }

  /** The client's address of this request, worked out once per request. */
  public String of(RoutingContext ctx) {
    String known = ctx.get(KEY);
    if (known == null) {
      known = of(ctx.request());
      ctx.put(KEY, known);
    }
    return known;
  }

  public String of(HttpServerRequest request) {
    return of(request.remoteAddress(), request.headers());
  }

  /** The client of a connection from {@code peer} whose (upgrade) request carried these headers. */
  public String of(SocketAddress peer, MultiMap headers) {
    return resolve(peer == null ? "unknown" : peer.hostAddress(), headers.getAll("Forwarded"),
        headers.getAll("X-Forwarded-For"));
  }

  /** The client of a request from {@code peer} with these Forwarded and X-Forwarded-For headers. */
  String resolve(String peer, List<String> forwardedHeaders, List<String> xForwardedFor) {
    if (trusted.isEmpty() || !isTrusted(peer)) {
      return peer;
    }
    List<String> hops = forwarded(forwardedHeaders, xForwardedFor);
    String client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = literal(hops.get(i));
      if (hop == null) {
        return client;
      }
      client = hop;
      if (!isTrusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  private boolean isTrusted(String address) {
    byte[] bytes = Cidr.bytes(address);
    return bytes != null && trusted.stream().anyMatch(cidr -> cidr.contains(bytes));
  }

  /** The for= values of every Forwarded header, else the X-Forwarded-For entries, left (client) to right. */
  private static List<String> forwarded(List<String> forwardedHeaders, List<String> xForwardedFor) {
    List<String> hops = new ArrayList<>();
    for (String header : forwardedHeaders) {
      for (String element : header.split(",")) {
        for (String pair : element.split(";")) {
          String trimmed = pair.trim();
          if (trimmed.toLowerCase(Locale.ROOT).startsWith("for=")) {
            hops.add(forValue(trimmed.substring(4).trim()));
          }
        }
      }
    }
    if (!hops.isEmpty()) {
      return hops;
    }
    for (String header : xForwardedFor) {
      for (String entry : header.split(",")) {
        hops.add(entry.trim());
      }
    }
    return hops;
  }

  /** A Forwarded for= value without its quotes, brackets and port: "[2001:db8::1]:4711" → 2001:db8::1. */
  private static String forValue(String value) {
    String v = value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2
        ? value.substring(1, value.length() - 1) : value;
    if (v.startsWith("[")) {
      int end = v.indexOf(']');
      return end > 0 ? v.substring(1, end) : v;
    }
    int colon = v.indexOf(':');
    return colon > 0 && v.indexOf(':', colon + 1) < 0 ? v.substring(0, colon) : v;
  }

  /** The address in its canonical form, or null when it is not an IP literal (a name, "unknown", an obfuscated id). */
  private static String literal(String hop) {
    byte[] bytes = Cidr.bytes(hop);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** An address block: an IPv4 or IPv6 address with a prefix length (a bare address is a /32 or /128). */
  record Cidr(byte[] network, int bits) {

    static Cidr parse(String text) {
      String trimmed = text.trim();
      int slash = trimmed.indexOf('/');
      byte[] address = bytes(slash < 0 ? trimmed : trimmed.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("http.trustedProxies: '" + text + "' is not an IP address or CIDR block");
      }
      int bits = address.length * 8;
      if (slash >= 0) {
        try {
          bits = Integer.parseInt(trimmed.substring(slash + 1));
        } catch (NumberFormatException e) {
          bits = -1;
        }
        if (bits < 0 || bits > address.length * 8) {
          throw new IllegalArgumentException("http.trustedProxies: '" + text + "' has a bad prefix length");
        }
      }
      return new Cidr(address, bits);
    }

    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((address[i / 8] & mask) != (network[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    /** The bytes of an IPv4 or IPv6 literal, without any name lookup; null for anything else. */
    static byte[] bytes(String text) {
      if (text == null || text.isEmpty() || !text.matches("[0-9A-Fa-f:.]+")) {
        return null;
      }
      if (text.contains(":")) {
        try {
          byte[] bytes = InetAddress.getByName(text).getAddress(); // a literal with ':' is parsed, never looked up
          return bytes;
        } catch (UnknownHostException e) {
          return null;
        }
      }
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        return null;
      }
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        if (parts[i].isEmpty() || parts[i].length() > 3) {
          return null;
        }
        int value = Integer.parseInt(parts[i]);
        if (value > 255) {
          return null;
        }
        bytes[i] = (byte) value;
      }
      return bytes;
    }
  }
}
