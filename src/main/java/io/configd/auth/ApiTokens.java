package io.configd.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The tokens configd issues: "cfd_" and 32 random bytes in base64url; stored only as their SHA-256. */
public final class ApiTokens {

  public static final String PREFIX = "cfd_";
  /** At least 32 characters after the prefix: an operator's CONFIGD_ADMIN_TOKEN must be as hard to guess as ours. */
  private static final Pattern FORMAT = Pattern.compile("cfd_[A-Za-z0-9_-]{32,200}");
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Every request with a token hashes it: one digest per thread (digest() leaves it reset), since looking one up by
   * name searches the security providers each time (1.7 % of a writing node's CPU).
   */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(ApiTokens::sha256);

  private ApiTokens() {
  }

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static boolean isConfigdToken(String bearer) {
    return bearer.startsWith(PREFIX);
  }

  public static boolean wellFormed(String token) {
    return FORMAT.matcher(token).matches();
  }

  /**
   * SHA-256, hex. A fast hash is enough here: a token carries 256 random bits, so no dictionary or brute
   * force over the hash can find it; slow password hashes (bcrypt, argon2) are for low-entropy secrets,
   * and would cost every request a deliberate delay.
   */
  public static String hash(String token) {
    return HexFormat.of().formatHex(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
