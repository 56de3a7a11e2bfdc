package com.cartgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.events.Topics;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.KafkaEvents;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The W3C trace context of a request reaches the Kafka records it causes. */
@DisplayName("trace context")
class TraceContextIT {
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName("a write sent with a traceparent puts the same trace id on its cart.events record")
  void tracedWrite() {
    String traceId = "0af7651916cd43dd8448eb211c80319c";
    String user = Gateway.unique("traced");
    HttpResponse<String> add =
        add(user, "00-" + traceId + "-b7ad6b7169203331-01", "congo=t61rcWkgMzE");

    assertThat(add.statusCode()).isEqualTo(200);
    String answered = add.headers().firstValue("traceparent").orElseThrow();
    assertThat(answered).startsWith("00-" + traceId + "-").endsWith("-01");
    ConsumerRecord<String, String> record = record(user);
    assertThat(header(record, "traceparent")).isEqualTo(answered);
    assertThat(header(record, "tracestate")).isEqualTo("congo=t61rcWkgMzE");
  }

  @Test
  @DisplayName(
      "a write without a traceparent, or with an invalid one, gets a new trace id, answered and"
          + " on its record")
  void untracedWrite() {
    for (String sent :
        new String[] {null, "00-00000000000000000000000000000000-b7ad6b7169203331-01"}) {
      String user = Gateway.unique("untraced");
      HttpResponse<String> add = add(user, sent, null);

      assertThat(add.statusCode()).isEqualTo(200);
      String answered = add.headers().firstValue("traceparent").orElseThrow();
      assertThat(answered)
          .matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
          .doesNotContain("-0000000000000000000000000000000");
      assertThat(header(record(user), "traceparent")).isEqualTo(answered);
    }
  }

  private HttpResponse<String> add(String user, String traceparent, String tracestate) {
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);
    HttpRequest.Builder request =
        gateway
            .request("/v1/cart/items")
            .header("Authorization", "Bearer " + gateway.userToken(user))
            .header("Content-Type", "application/json");
    if (traceparent != null) {
      request.header("traceparent", traceparent);
    }
    if (tracestate != null) {
      request.header("tracestate", tracestate);
    }
    return gateway.send(
        request
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    new JsonObject().put("sku", sku).put("quantity", 1).encode()))
            .build());
  }

  private static ConsumerRecord<String, String> record(String user) {
    String cartId = "u:" + user;
    List<ConsumerRecord<String, String>> records =
        KafkaEvents.awaitRecords(Topics.CART_EVENTS, cartId, 1, Duration.ofSeconds(20));
    assertThat(records).as("events of " + cartId).hasSize(1);
    return records.get(0);
  }

  private static String header(ConsumerRecord<String, String> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
