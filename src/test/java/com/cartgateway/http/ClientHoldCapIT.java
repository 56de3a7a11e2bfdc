package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A client minting guest sessions cannot hold a scarce SKU: what the carts of one client address
 * hold of a SKU together is capped, each cart still at its own cap.
 */
@DisplayName("the carts of one client hold at most the per-client cap of a SKU")
class ClientHoldCapIT {
  private static final int CLIENT_CAP = 30;
  private static Gateway gateway;

  @BeforeAll
  static void start() {
    // One proxy in front, so that each test client is told apart by X-Forwarded-For.
    gateway =
        Gateway.start(
            Map.of(
                "CART_CLIENT_HOLD_CAP",
                String.valueOf(CLIENT_CAP),
                "CART_TRUSTED_PROXY_HOPS",
                "1"));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @Test
  @DisplayName(
      "five new guests from one address hold 30 units together; their adds are accepted, the rest"
          + " unheld; another address holds its own")
  void guestsFromOneAddress() {
    String sku = Gateway.unique("SCARCE");
    gateway.putSku(sku, "5.00", "USD", 100);
    long held = 0;
    for (int guest = 0; guest < 5; guest++) {
      HttpResponse<String> added = addAsNewGuest("203.0.113.7", sku, 20);
      assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
      held += reservation(added);
    }
    assertThat(held).isEqualTo(CLIENT_CAP);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(CLIENT_CAP);

    HttpResponse<String> other = addAsNewGuest("198.51.100.9", sku, 20);
    assertThat(reservation(other)).isEqualTo(20);
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(CLIENT_CAP + 20);
  }

  @Test
  @DisplayName("units a client's cart gives back may be held by its next cart")
  void releasedUnitsCountNoMore() {
    String sku = Gateway.unique("SCARCE");
    gateway.putSku(sku, "5.00", "USD", 100);
    HttpResponse<String> first = addAsNewGuest("192.0.2.44", sku, 20);
    assertThat(reservation(first)).isEqualTo(20);
    assertThat(reservation(addAsNewGuest("192.0.2.44", sku, 20))).isEqualTo(CLIENT_CAP - 20);
    String session = first.headers().firstValue("X-Cart-Session").orElseThrow();
    HttpResponse<String> cleared =
        gateway.send(
            gateway
                .request("/v1/cart")
                .header("X-Cart-Session", session)
                .header("X-Forwarded-For", "192.0.2.44")
                .DELETE()
                .build());
    assertThat(cleared.statusCode()).isEqualTo(200);
    assertThat(reservation(addAsNewGuest("192.0.2.44", sku, 20))).isEqualTo(20);
  }

  @Test
  @DisplayName("addresses of one IPv6 /64 count as one client")
  void ipv6CountsByItsSlash64() {
    String sku = Gateway.unique("SCARCE");
    gateway.putSku(sku, "5.00", "USD", 100);
    assertThat(reservation(addAsNewGuest("2001:db8:1:2::1", sku, 20))).isEqualTo(20);
    assertThat(reservation(addAsNewGuest("2001:db8:1:2::ffff", sku, 20)))
        .isEqualTo(CLIENT_CAP - 20);
    assertThat(reservation(addAsNewGuest("2001:db8:1:3::1", sku, 20))).isEqualTo(20);
  }

  private static HttpResponse<String> addAsNewGuest(String address, String sku, int quantity) {
    return gateway.send(
        gateway
            .request("/v1/cart/items")
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", address)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", quantity).encode()))
            .build());
  }

  /** The units the answer's one line holds. */
  private static long reservation(HttpResponse<String> added) {
    JsonObject reservation =
        new JsonObject(added.body())
            .getJsonArray("items")
            .getJsonObject(0)
            .getJsonObject("reservation");
    return reservation == null ? 0 : reservation.getLong("quantity");
  }
}
