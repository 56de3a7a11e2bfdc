package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.cartgateway.config.AppConfig;
import com.cartgateway.support.Gateway;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the expiry subscription")
class ExpirySubscriptionIT {

  @Test
  @DisplayName(
      "tells of its loss once when Redis drops its connection, and a new one hears expiries again")
  void lostOnceThenResubscribed() throws Exception {
    Vertx vertx = Vertx.vertx();
    AppConfig.Redis config = Gateway.get().config().redis();
    RedisGateway redis = RedisGateway.create(vertx, config);
    try {
      // subscribe() turns the server's expiry events on where they are off.
      String server = config.endpoints().get(0);
      List<String> expired = new CopyOnWriteArrayList<>();
      AtomicInteger lost = new AtomicInteger();
      ExpirySubscription first =
          ExpirySubscription.connect(vertx, server, expired::add, lost::incrementAndGet)
              .await(5, TimeUnit.SECONDS);
      first.subscribe().await(5, TimeUnit.SECONDS);
      String before = expire(redis, "expiry-first");
      await("the first subscription hears an expiry")
          .atMost(Duration.ofSeconds(10))
          .until(() -> expired.contains(before));

      redis
          .send(Request.cmd(Command.CLIENT).arg("KILL").arg("TYPE").arg("pubsub"))
          .await(5, TimeUnit.SECONDS);
      await("the loss told").atMost(Duration.ofSeconds(10)).until(() -> lost.get() > 0);

      ExpirySubscription second =
          ExpirySubscription.connect(vertx, server, expired::add, () -> {})
              .await(5, TimeUnit.SECONDS);
      second.subscribe().await(5, TimeUnit.SECONDS);
      String after = expire(redis, "expiry-second");
      await("the new subscription hears an expiry")
          .atMost(Duration.ofSeconds(10))
          .until(() -> expired.contains(after));
      assertThat(lost).as("losses told for one connection").hasValue(1);
      second.close().await(5, TimeUnit.SECONDS);
    } finally {
      redis.close();
      vertx.close().await(5, TimeUnit.SECONDS);
    }
  }

  private static String expire(RedisGateway redis, String prefix) throws Exception {
    String key = Gateway.unique(prefix);
    redis
        .send(Request.cmd(Command.SET).arg(key).arg("1").arg("PX").arg(20))
        .await(5, TimeUnit.SECONDS);
    return key;
  }
}
