package com.cartgateway.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.identity.Owner;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("a cart event has one JSON form, shared by the producer and the worker")
class CartEventTest {
  private static final String DOCUMENTED =
      "{\"cartId\":\"u:alice\",\"owner\":{\"type\":\"user\",\"id\":\"alice\"},\"version\":7,"
          + "\"updatedAt\":1795336067000,\"currency\":\"USD\",\"lines\":[{\"sku\":\"SKU-1\","
          + "\"quantity\":2,\"unitPrice\":2999,\"addedAt\":1795336000000,"
          + "\"updatedAt\":1795336067000,\"held\":2,\"holdExpiresAt\":1795336967000,"
          + "\"variant\":{\"size\":\"M\"}}]}";

  @Test
  @DisplayName("the documented event reads into its fields and writes back byte for byte")
  void documentedForm() {
    CartEvent event = CartEvent.fromJson(new JsonObject(DOCUMENTED));

    assertThat(event)
        .isEqualTo(
            new CartEvent(
                "u:alice",
                new Owner("user", "alice"),
                7,
                1795336067000L,
                "USD",
                List.of(
                    new CartLine(
                        "SKU-1",
                        2,
                        2999,
                        1795336000000L,
                        1795336067000L,
                        2,
                        1795336967000L,
                        new JsonObject().put("size", "M")))));
    assertThat(event.toJson().encode()).isEqualTo(DOCUMENTED);
  }

  @Test
  @DisplayName("an emptied cart has a null currency and no lines, and a line may have no variant")
  void emptiedCartAndNoVariant() {
    CartEvent emptied = new CartEvent("g:s1", new Owner("guest", "s1"), 3, 5, null, List.of());
    CartLine plain = new CartLine("SKU-2", 1, 100, 1, 1, 0, 0, null);
    CartEvent withPlainLine =
        new CartEvent("g:s1", new Owner("guest", "s1"), 4, 6, "EUR", List.of(plain));

    assertThat(emptied.toJson().getValue("currency")).isNull();
    assertThat(emptied.toJson().containsKey("currency")).isTrue();
    assertThat(CartEvent.fromJson(emptied.toJson())).isEqualTo(emptied);
    assertThat(CartEvent.fromJson(withPlainLine.toJson())).isEqualTo(withPlainLine);
  }

  @Test
  @DisplayName("a value without a version, or with a version that is not a number, is refused")
  void refusesIncompleteEvents() {
    JsonObject noVersion = new JsonObject(DOCUMENTED);
    noVersion.remove("version");
    JsonObject textVersion = new JsonObject(DOCUMENTED).put("version", "seven");

    assertThatThrownBy(() -> CartEvent.fromJson(noVersion))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version");
    assertThatThrownBy(() -> CartEvent.fromJson(textVersion))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
