package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("request bodies are strict JSON: one reading, exact numbers, well-formed text")
class StrictJsonTest {
  private static Object parse(byte[] bytes) throws StrictJson.Malformed {
    return StrictJson.parse(Buffer.buffer(bytes));
  }

  private static Object parse(String text) throws StrictJson.Malformed {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("plain JSON reads as Vert.x values, numbers exact")
  void reads() throws Exception {
    Object value =
        parse(
            "{\"sku\":\"SKU-1\",\"quantity\":2,\"big\":12345678901234567890,\"price\":1e400,"
                + "\"v\":{\"a\":[true,null,\"\\ud83d\\ude00\"]},\"f\":false,\"l\":4000000000}");
    assertThat(value).isInstanceOf(JsonObject.class);
    JsonObject body = (JsonObject) value;
    assertThat(body.getValue("quantity")).isEqualTo(2);
    assertThat(body.getValue("l")).isEqualTo(4_000_000_000L);
    assertThat(body.getValue("big")).isEqualTo(new BigInteger("12345678901234567890"));
    assertThat(body.getValue("price")).isEqualTo(new BigDecimal("1e400"));
    assertThat(body.getJsonObject("v").getJsonArray("a"))
        .isEqualTo(new JsonArray().add(true).addNull().add("\uD83D\uDE00"));
    assertThat(parse("[1]")).isEqualTo(new JsonArray().add(1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"quantity\":1 /* comment */}",
        "{\"quantity\":1 // comment\n}",
        "{\"quantity\":1,\"quantity\":999}",
        "{\"v\":{\"a\":1,\"a\":1}}",
        "{\"quantity\":1} {}",
        "{'quantity':1}",
        "{quantity:1}",
        "{\"quantity\":01}",
        "{\"quantity\":NaN}",
        "{\"price\":1e99999999999}",
        "{\"price\":0.0e-2147483649}",
        "{\"a\":[1,]}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00x\"}",
        "{\"\\ud800\":1}",
        "{\"a\":\"\\ude00\\ud83d\"}",
        "\uFEFF{\"quantity\":1}",
        ""
      })
  @DisplayName("comments, duplicates, trailing values, lone surrogates and a BOM are refused")
  void refusesLenientJson(String text) {
    assertThatThrownBy(() -> parse(text)).isInstanceOf(StrictJson.Malformed.class);
  }

  @Test
  @DisplayName("bytes that are not well-formed UTF-8 are refused, never decoded into other text")
  void refusesNonUtf8() {
    byte[][] bodies = {
      // overlong '/': a\xC0\xAFb must not read as a/b
      {'{', '"', 'a', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, 'b', '"', '}'},
      // a surrogate encoded as UTF-8 (CESU)
      {'{', '"', 'a', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'},
      // a stray continuation byte
      {'{', '"', 'a', '"', ':', '"', (byte) 0x80, '"', '}'},
      "{\"quantity\":1}".getBytes(StandardCharsets.UTF_16),
      "{\"quantity\":1}".getBytes(StandardCharsets.UTF_16LE),
      "{\"quantity\":1}".getBytes(StandardCharsets.UTF_16BE),
      {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'},
    };
    for (byte[] body : bodies) {
      assertThatThrownBy(() -> parse(body)).isInstanceOf(StrictJson.Malformed.class);
    }
  }
}
