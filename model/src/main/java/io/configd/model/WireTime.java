package io.configd.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;

/**
 * The times the change model carries ({@code updatedAt}), written and read back. Every node reads each change's time
 * several times (the cache, the propagation's lag, the audit and notification consumers), and {@link Instant#parse},
 * through DateTimeFormatter, was 2-3 % of a writing node's CPU: the form {@link Instant#toString} writes is read here
 * by hand, anything else by {@link Instant#parse}, so the answer and the failures are Instant.parse's for every text.
 */
public final class WireTime {

  private static final long FIRST_DAY = LocalDate.of(0, 1, 1).toEpochDay();
  private static final long LAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();
  private static final int[] SCALE = {100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

  private WireTime() {
  }

  /** As {@link Instant#parse}: the instant, or a DateTimeParseException. */
  public static Instant parse(String text) {
    Instant written = asWritten(text);
    return written != null ? written : Instant.parse(text);
  }

  /**
   * As {@link Instant#toString}: {@code uuuu-MM-ddTHH:mm:ssZ} with the fraction in groups of three digits, as many
   * as it needs. Written by hand for the years 0 to 9999 (each version's time is written for Kafka, the cache and the
   * answer: Instant.toString was ~1 % of a writing node's CPU), by Instant.toString for any other.
   */
  public static String format(Instant instant) {
    long seconds = instant.getEpochSecond();
    long day = Math.floorDiv(seconds, 86_400);
    if (day < FIRST_DAY || day > LAST_DAY) {
      return instant.toString();
    }
    LocalDate date = LocalDate.ofEpochDay(day);
    int second = (int) Math.floorMod(seconds, 86_400);
    int nanos = instant.getNano();
    char[] text = new char[30];
    put(text, 0, date.getYear(), 4);
    text[4] = '-';
    put(text, 5, date.getMonthValue(), 2);
    text[7] = '-';
    put(text, 8, date.getDayOfMonth(), 2);
    text[10] = 'T';
    put(text, 11, second / 3_600, 2);
    text[13] = ':';
    put(text, 14, second / 60 % 60, 2);
    text[16] = ':';
    put(text, 17, second % 60, 2);
    int length = 19;
    if (nanos != 0) {
      text[length++] = '.';
      if (nanos % 1_000_000 == 0) {
        put(text, length, nanos / 1_000_000, 3);
        length += 3;
      } else if (nanos % 1_000 == 0) {
        put(text, length, nanos / 1_000, 6);
        length += 6;
      } else {
        put(text, length, nanos, 9);
        length += 9;
      }
    }
    text[length++] = 'Z';
    return new String(text, 0, length);
  }

  /** {@code value} in {@code width} decimal digits, zero-padded, at {@code at}. */
  private static void put(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** {@code uuuu-MM-ddTHH:mm:ss[.f{1,9}]Z} with every field in range, or null for anything else. */
  private static Instant asWritten(String text) {
    int length = text.length();
    if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
        || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || day > Month.of(month).length(Year.isLeap(year))) {
      return null; // 24:00, a leap second, a bad date: Instant.parse says what it makes of them
    }
    int nanos = 0;
    if (length > 20) {
      int fraction = length - 21;
      if (text.charAt(19) != '.' || fraction < 1) {
        return null;
      }
      int value = digits(text, 20, fraction);
      if (value < 0) {
        return null;
      }
      nanos = value * SCALE[fraction - 1];
    }
    long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600L + minute * 60L + second;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /** The number the {@code count} ASCII digits at {@code from} write, or -1 when one is not a digit. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
