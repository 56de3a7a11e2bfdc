package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.store.Scripts;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.TestServices;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Lua scripts are loaded at start, called by SHA and reloaded when Redis forgot them")
class ScriptReloadIT {
  private final Gateway gateway = Gateway.get();

  @Test
  @DisplayName(
      "after SCRIPT FLUSH a write still succeeds (NOSCRIPT makes the gateway send the source)")
  void reloadAfterFlush() throws Exception {
    String user = Gateway.unique("shopper");
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 5);
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = Redis.createClient(vertx, TestServices.get().redisUrl());
      redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(5, TimeUnit.SECONDS);
      assertThat(gateway.add(user, sku, 2).statusCode()).isEqualTo(200);
      assertThat(
              redis
                  .send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(Scripts.HOLD_ADJUST.sha()))
                  .await(5, TimeUnit.SECONDS)
                  .get(0)
                  .toInteger())
          .isEqualTo(1);
      redis.close();
    } finally {
      vertx.close();
    }
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName("a role that runs scripts loads every one of them at start (here the timer alone)")
  void everyScriptLoadedAtStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = Redis.createClient(vertx, TestServices.get().redisUrl());
      redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).await(5, TimeUnit.SECONDS);
      Gateway timer = Gateway.start(Map.of("CART_ROLES", "timer"));
      try {
        Request exists = Request.cmd(Command.SCRIPT).arg("EXISTS");
        Scripts.ALL.forEach(script -> exists.arg(script.sha()));
        Response loaded = redis.send(exists).await(5, TimeUnit.SECONDS);
        for (int i = 0; i < Scripts.ALL.size(); i++) {
          assertThat(loaded.get(i).toInteger()).as(Scripts.ALL.get(i).name()).isEqualTo(1);
        }
      } finally {
        timer.close();
        redis.close();
      }
    } finally {
      vertx.close();
    }
  }
}
