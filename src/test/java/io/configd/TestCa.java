package io.configd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test with the machine's openssl: its certificate (ca.pem) and the server and
 * client certificates it signs, each a PEM chain and a PKCS#8 key, valid for localhost and 127.0.0.1.
 */
public final class TestCa {

  private final Path dir;
  private final String name;

  private TestCa(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** A new CA in {@code dir}, named {@code name} (its certificate is {@code dir/name.pem}). */
  public static TestCa create(Path dir, String name) {
    TestCa ca = new TestCa(dir, name);
    ca.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".pem",
        "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return ca;
  }

  /** This CA's certificate, what clients trust. */
  public Path certificate() {
    return dir.resolve(name + ".pem");
  }

  /** A certificate for {@code cn} (server and client use, SAN localhost and 127.0.0.1): [chain, key]. */
  public Path[] issue(String cn) {
    try {
      Files.writeString(dir.resolve(cn + ".ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
          + "extendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", cn + ".key", "-out", cn + ".csr", "-subj", "/CN=" + cn);
    openssl("x509", "-req", "-in", cn + ".csr", "-CA", name + ".pem", "-CAkey", name + ".key", "-CAcreateserial",
        "-out", cn + ".pem", "-days", "2", "-extfile", cn + ".ext");
    return new Path[] {dir.resolve(cn + ".pem"), dir.resolve(cn + ".key")};
  }

  /** Puts {@code from} at {@code to} in one rename, as a secret mount or a certificate manager does. */
  public static void replace(Path from, Path to) {
    try {
      Path staged = to.resolveSibling(to.getFileName() + ".new");
      Files.copy(from, staged, StandardCopyOption.REPLACE_EXISTING);
      Files.move(staged, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("openssl " + String.join(" ", args) + " failed (openssl is needed for the TLS "
            + "tests: apt-get install openssl):\n" + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("openssl is needed for the TLS tests (apt-get install openssl): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
