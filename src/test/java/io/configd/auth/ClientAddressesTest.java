package io.configd.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The client address behind proxies")
class ClientAddressesTest {

  private final ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/8", "192.168.1.5", "fd00::/8"));

  @Test
  @DisplayName("X-Forwarded-For is read from the right, past every trusted proxy, only when the peer is trusted")
  void xForwardedFor() {
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("198.51.100.1, 203.0.113.7, 10.9.9.9")))
        .as("the client's own claims left of the first untrusted hop are ignored").isEqualTo("203.0.113.7");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("203.0.113.7", "192.168.1.5")))
        .as("several headers are one list").isEqualTo("203.0.113.7");
    assertThat(addresses.resolve("203.0.113.9", List.of(), List.of("10.1.1.1"))).as("an untrusted peer")
        .isEqualTo("203.0.113.9");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of())).isEqualTo("10.1.2.3");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("evil.example, 203.0.113.7")))
        .isEqualTo("203.0.113.7");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("unknown"))).as("a hop that is no address")
        .isEqualTo("10.1.2.3");
    assertThat(addresses.resolve("10.1.2.3", List.of(), List.of("10.2.2.2"))).as("only trusted hops: the leftmost")
        .isEqualTo("10.2.2.2");
  }

  @Test
  @DisplayName("Forwarded (RFC 7239) wins over X-Forwarded-For, with quoted, bracketed and ported IPv6 and IPv4")
  void forwarded() {
    assertThat(addresses.resolve("10.1.2.3", List.of("for=192.0.2.60;proto=https;by=203.0.113.43"),
        List.of("198.51.100.1"))).isEqualTo("192.0.2.60");
    assertThat(addresses.resolve("10.1.2.3", List.of("for=\"[2001:db8:cafe::17]:4711\", for=10.3.3.3"), List.of()))
        .isEqualTo("2001:db8:cafe:0:0:0:0:17");
    assertThat(addresses.resolve("fd00::1", List.of("For=\"198.51.100.17:8080\""), List.of()))
        .as("an IPv6 proxy in a trusted block").isEqualTo("198.51.100.17");
    assertThat(addresses.resolve("10.1.2.3", List.of("for=_hidden"), List.of())).isEqualTo("10.1.2.3");
  }

  @Test
  @DisplayName("with no trusted proxy the headers are ignored, and a malformed entry fails the start")
  void noneTrusted() {
    assertThat(new ClientAddresses(List.of()).resolve("127.0.0.1", List.of("for=1.2.3.4"), List.of("1.2.3.4")))
        .isEqualTo("127.0.0.1");
    assertThatThrownBy(() -> new ClientAddresses(List.of("10.0.0.0/33"))).hasMessageContaining("prefix length");
    assertThatThrownBy(() -> new ClientAddresses(List.of("proxy.internal"))).hasMessageContaining("not an IP address");
  }
}
