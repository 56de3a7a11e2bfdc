package com.cartgateway.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses request bodies as RFC 8259 JSON and nothing more lenient: well-formed UTF-8 only (no BOM,
 * no UTF-16, no overlong or surrogate encodings), no comments, no duplicate member names, no lone
 * surrogate escapes, one value and nothing after it. Vert.x's own codec allows comments, guesses
 * the encoding and lets a later duplicate win, so two readers of one body could disagree on what it
 * says, and bytes that are not text would be stored as something else. Fractions and exponents are
 * kept exact as {@link java.math.BigDecimal}s, so that {@code 1e400} is a (refusable) number, not
 * infinity.
 */
final class StrictJson {
  // Comments and the other lenient features are off by default; only duplicates need turning on.
  private static final JsonFactory FACTORY =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private StrictJson() {}

  /** Thrown for a body that is not strict JSON; its message says why, for the client. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The body's one value: a {@link JsonObject}, {@link JsonArray}, String, Boolean, null, an
   * Integer, Long or BigInteger, or a BigDecimal for a number with a fraction or an exponent.
   */
  static Object parse(Buffer body) throws Malformed {
    String text = utf8(body);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      throw new Malformed("a byte order mark is not allowed");
    }
    try (JsonParser parser = FACTORY.createParser(text)) {
      Object value = value(parser, parser.nextToken());
      if (parser.nextToken() != null) {
        throw new Malformed("malformed JSON: content after the value");
      }
      return value;
    } catch (IOException | NumberFormatException e) {
      throw new Malformed("malformed JSON");
    }
  }

  private static String utf8(Buffer body) throws Malformed {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new Malformed("the body must be UTF-8");
    }
  }

  private static Object value(JsonParser parser, JsonToken token) throws IOException, Malformed {
    if (token == null) {
      throw new Malformed("malformed JSON");
    }
    switch (token) {
      case START_OBJECT:
        JsonObject object = new JsonObject();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_OBJECT;
            next = parser.nextToken()) {
          String name = text(parser.currentName());
          object.put(name, value(parser, parser.nextToken()));
        }
        return object;
      case START_ARRAY:
        JsonArray array = new JsonArray();
        for (JsonToken next = parser.nextToken();
            next != JsonToken.END_ARRAY;
            next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        return array;
      case VALUE_STRING:
        return text(parser.getText());
      case VALUE_NUMBER_INT:
        return parser.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDecimalValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new Malformed("malformed JSON");
    }
  }

  /** The text, unless an escape left half a surrogate pair, which no UTF-8 store can keep. */
  private static String text(String text) throws Malformed {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new Malformed("a string holds an unpaired surrogate");
      }
    }
    return text;
  }
}
