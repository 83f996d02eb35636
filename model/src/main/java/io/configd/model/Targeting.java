package io.configd.model;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Which instances a rollout's value is for: those whose labels match the selector (every instance when there is
 * none) and, when a percentage is set, whose bucket is below it. The bucket is a stable hash of the key and the
 * instance id, 0 to 9,999: an instance inside 10 % of a key is inside 50 % of it too, so a rollout only ever adds
 * instances as it grows, and different keys pick different instances first.
 *
 * @param selector    null: no label requirement
 * @param basisPoints hundredths of a percent, 0 to 10,000; null: no percentage (the selector alone)
 */
public record Targeting(Selector selector, Integer basisPoints) {

  public static final int ALL = 10_000;

  public Targeting {
    if (selector == null && basisPoints == null) {
      throw new ConfigdException(Failure.INVALID_BODY, "a rollout targets instances by a 'selector', a 'percentage' or "
          + "both; give at least one");
    }
    if (basisPoints != null && (basisPoints < 0 || basisPoints > ALL)) {
      throw new ConfigdException(Failure.INVALID_BODY, "percentage must be 0 to 100");
    }
  }

  /** True when the instance is targeted: its labels match and its bucket for this key is inside the percentage. */
  public boolean matches(String key, String instanceId, Map<String, String> labels) {
    if (instanceId == null) {
      return false; // an anonymous reader gets the released value
    }
    if (selector != null && !selector.matches(labels)) {
      return false;
    }
    return basisPoints == null || bucket(key, instanceId) < basisPoints;
  }

  /** The same selector with another percentage (a rollout's next step). */
  public Targeting withBasisPoints(Integer basisPoints) {
    return new Targeting(selector, basisPoints);
  }

  /**
   * The instance's bucket for the key, 0 to 9,999: the first 8 bytes of SHA-256(key + "\n" + instance id) as an
   * unsigned number, modulo 10,000. Clients in other languages compute the same.
   */
  public static int bucket(String key, String instanceId) {
    byte[] digest = sha256((key + "\n" + instanceId).getBytes(StandardCharsets.UTF_8));
    long high = 0;
    for (int i = 0; i < 8; i++) {
      high = (high << 8) | (digest[i] & 0xff);
    }
    return (int) Long.remainderUnsigned(high, ALL);
  }

  /**
   * A percentage from JSON: a number from 0 to 100 with at most two decimals (0.5, 10, 33.33), as basis points;
   * fails with {@link Failure#INVALID_BODY} otherwise. {@code what} names it in the refusal.
   */
  public static int basisPoints(Object value, String what) {
    if (!(value instanceof Number number)) {
      throw new ConfigdException(Failure.INVALID_BODY, what + " must be a number from 0 to 100, e.g. 10 or 0.5");
    }
    BigDecimal percent;
    try {
      percent = new BigDecimal(number.toString());
    } catch (NumberFormatException e) {
      throw new ConfigdException(Failure.INVALID_BODY, what + " must be a number from 0 to 100, e.g. 10 or 0.5");
    }
    if (percent.signum() < 0 || percent.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw new ConfigdException(Failure.INVALID_BODY, what + " must be from 0 to 100, not " + number);
    }
    BigDecimal points = percent.movePointRight(2);
    if (points.stripTrailingZeros().scale() > 0) {
      throw new ConfigdException(Failure.INVALID_BODY, what + " may have at most two decimals, not " + number);
    }
    return points.intValueExact();
  }

  /** Basis points as the percentage the API shows: 10 for 1000, 0.5 for 50. */
  public static Number percentage(int basisPoints) {
    return basisPoints % 100 == 0 ? (Number) (basisPoints / 100) : (Number) (basisPoints / 100.0);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
