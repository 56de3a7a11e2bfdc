package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.store.Scripts;
import com.cartgateway.support.Gateway;
import com.cartgateway.support.RedisMasters;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
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
      RedisMasters.send(vertx, Request.cmd(Command.SCRIPT).arg("FLUSH"));
      assertThat(gateway.add(user, sku, 2).statusCode()).isEqualTo(200);
      // on the master of the SKU's slot, the one that ran it
      assertThat(
              RedisMasters.send(
                  vertx, Request.cmd(Command.SCRIPT).arg("EXISTS").arg(Scripts.HOLD_ADJUST.sha())))
          .anySatisfy(exists -> assertThat(exists.get(0).toInteger()).isEqualTo(1));
    } finally {
      vertx.close();
    }
    assertThat(gateway.sku(sku).getLong("reserved")).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a role that runs scripts loads every one of them at start on every master (here the timer"
          + " alone)")
  void everyScriptLoadedAtStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RedisMasters.send(vertx, Request.cmd(Command.SCRIPT).arg("FLUSH"));
      Gateway timer = Gateway.start(Map.of("CART_ROLES", "timer"));
      try {
        Request exists = Request.cmd(Command.SCRIPT).arg("EXISTS");
        Scripts.ALL.forEach(script -> exists.arg(script.sha()));
        List<String> masters = RedisMasters.urls(vertx);
        List<Response> loaded = RedisMasters.send(vertx, exists);
        for (int m = 0; m < masters.size(); m++) {
          for (int i = 0; i < Scripts.ALL.size(); i++) {
            assertThat(loaded.get(m).get(i).toInteger())
                .as(Scripts.ALL.get(i).name() + " on " + masters.get(m))
                .isEqualTo(1);
          }
        }
      } finally {
        timer.close();
      }
    } finally {
      vertx.close();
    }
  }
}
