package com.cartgateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.dynamo.DynamoCarts;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** What tests read from cart answers, and the wait for a cart's durable copy. */
public final class CartBodies {
  private CartBodies() {}

  /** Each line's quantity by SKU. */
  public static Map<String, Integer> quantities(JsonObject cart) {
    Map<String, Integer> lines = new TreeMap<>();
    cart.getJsonArray("items")
        .forEach(
            i ->
                lines.put(
                    ((JsonObject) i).getString("sku"), ((JsonObject) i).getInteger("quantity")));
    return lines;
  }

  /** The version of the cart a write answered 200 with. */
  public static long version(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getLong("version");
  }

  /** Waits until DynamoDB holds the cart at least at the version. */
  public static void awaitDurable(DynamoCarts dynamo, String cartId, long version) {
    await(cartId + " reaches DynamoDB at v" + version)
        .atMost(Duration.ofSeconds(60))
        .ignoreException(ExecutionException.class) // DynamoDB unreachable for now
        .until(
            () ->
                dynamo
                    .read(cartId)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS),
            stored -> stored.filter(event -> event.version() >= version).isPresent());
  }
}
