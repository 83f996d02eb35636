package io.configd.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.configd.model.ConfigdException;
import io.configd.model.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON reader of request bodies: RFC 8259 and nothing looser, so that a stored value is the JSON value sent.
 * Refused, each with a message that says why: bytes that are not UTF-8 (overlong forms such as {@code C0 AF},
 * encoded surrogates), a byte-order mark, comments, a member twice in one object, a lone surrogate escape
 * ({@code "\ud800"}), U+0000 (PostgreSQL stores no NUL in text or jsonb), and a number a 64-bit float cannot hold
 * ({@code 1e999999} would become Infinity, {@code 1e-999999} 0).
 */
final class StrictJson {

  private static final int MAX_DEPTH = 256;
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build(); // comments, single quotes, NaN and trailing commas stay off, as Jackson's defaults have them

  private StrictJson() {
  }

  /** The body as a JSON value (JsonObject, JsonArray, String, Number, Boolean or null). */
  static Object parse(Buffer body) {
    String text = utf8(body.getBytes());
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      throw invalid("the body starts with a byte-order mark; send JSON in UTF-8 without one");
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw invalid("the request has no body; send a JSON object");
      }
      Object value = value(parser, first);
      if (parser.nextToken() != null) {
        throw invalid("the body has more after its JSON value");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw invalid("the body is not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException | NumberFormatException | ArithmeticException e) {
      throw invalid("the body could not be read: " + e.getMessage());
    }
  }

  /** Text for PostgreSQL: refused when it holds U+0000 or a lone surrogate (what {@code what} names says where). */
  static String storable(String text, String what) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        throw new ConfigdException(Failure.INVALID_BODY, what + " contains U+0000, which cannot be stored");
      }
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new ConfigdException(Failure.INVALID_BODY, what + " contains a lone surrogate (\\u"
            + Integer.toHexString(c) + "), which is no Unicode character");
      }
    }
    return text;
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw invalid("the body is not valid UTF-8 (an overlong form, an encoded surrogate or a stray byte)");
    }
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        JsonObject object = new JsonObject();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
          String name = storable(parser.currentName(), "a member name");
          object.put(name, value(parser, parser.nextToken()));
        }
        return object;
      }
      case START_ARRAY -> {
        JsonArray array = new JsonArray();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        return array;
      }
      case VALUE_STRING -> {
        return storable(parser.getText(), "a string");
      }
      case VALUE_NUMBER_INT -> {
        return parser.getNumberValue(); // Integer, Long or BigInteger: exact
      }
      case VALUE_NUMBER_FLOAT -> {
        return number(parser.getText(), parser.getDecimalValue());
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw invalid("unexpected " + token + " in the body");
    }
  }

  /** Numbers are read as IEEE-754 doubles (as JavaScript and most JSON libraries do): one out of their range is refused. */
  private static Double number(String literal, BigDecimal exact) {
    double value = exact.doubleValue();
    if (Double.isInfinite(value)) {
      throw invalid("the number " + shorten(literal) + " is beyond what a 64-bit float holds (about 1.8e308)");
    }
    if (value == 0 && exact.signum() != 0) {
      throw invalid("the number " + shorten(literal) + " is too small for a 64-bit float and would be stored as 0");
    }
    return value;
  }

  private static String shorten(String literal) {
    return literal.length() > 40 ? literal.substring(0, 40) + "…" : literal;
  }

  private static ConfigdException invalid(String detail) {
    return new ConfigdException(Failure.INVALID_BODY, detail);
  }
}
