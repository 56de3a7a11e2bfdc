package com.cartgateway.cart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.cartgateway.identity.Owner;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.StoreUnavailableException;
import com.cartgateway.support.Gateway;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the cart store's scripts against real Redis")
class CartStoreIT {
  private static final CartStore.Limits LIMITS = new CartStore.Limits(100, 999, 20, 0);

  private final Vertx vertx = Vertx.vertx();
  private final RedisGateway redis = RedisGateway.create(vertx, Gateway.get().config().redis());
  private final CartWrites carts = new CartWrites(redis);

  @AfterEach
  void close() {
    redis.close();
    vertx.close();
  }

  @Test
  @DisplayName(
      "an add that found its cart in Redis fails as unavailable, creating nothing, when Redis lost"
          + " the cart before the add applied (else the cart would start afresh over its durable"
          + " copy)")
  void addNeverRecreatesALostCart() throws Exception {
    Owner owner = Owner.user(Gateway.unique("vanished"));
    CartWrites.Addition one = new CartWrites.Addition("SKU-V", 1, 250, "USD", null, 1, 0);

    assertThatThrownBy(
            () ->
                carts
                    .add(owner, one, LIMITS, null, Gateway.unique("op"), 1_000, true)
                    .await(5, TimeUnit.SECONDS))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(exists(owner)).as("nothing created").isZero();

    Cart created =
        carts
            .add(owner, one, LIMITS, null, Gateway.unique("op"), 1_000, false)
            .await(5, TimeUnit.SECONDS);
    assertThat(created.version()).as("a new cart starts as before").isEqualTo(1);
    assertThat(created.lines()).hasSize(1);
  }

  @Test
  @DisplayName(
      "a set, a removal or a clear of a cart the caller found fails as unavailable, changing"
          + " nothing, when Redis lost the cart before it applied (else it would answer as if the"
          + " cart were empty)")
  void otherWritesNeverAnswerForALostCart() throws Exception {
    Owner owner = Owner.user(Gateway.unique("vanished"));
    assertThatThrownBy(
            () ->
                carts
                    .set(owner, "SKU-V", 2, 1, 0, 0, null, Gateway.unique("op"), 1_000)
                    .await(5, TimeUnit.SECONDS))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(
            () -> carts.remove(owner, "SKU-V", null, 1_000, true).await(5, TimeUnit.SECONDS))
        .isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> carts.clear(owner, null, 1_000, true).await(5, TimeUnit.SECONDS))
        .isInstanceOf(StoreUnavailableException.class);
    assertThat(exists(owner)).as("nothing created").isZero();

    assertThat(carts.clear(owner, null, 1_000, false).await(5, TimeUnit.SECONDS).cart().version())
        .as("a cart never written is cleared as an empty cart, as before")
        .isZero();
  }

  private int exists(Owner owner) throws Exception {
    return redis
        .send(Request.cmd(Command.EXISTS).arg(RedisKeys.cart(owner.cartId())))
        .await(5, TimeUnit.SECONDS)
        .toInteger();
  }
}
