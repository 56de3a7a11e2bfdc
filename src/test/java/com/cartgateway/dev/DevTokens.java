package com.cartgateway.dev;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** User tokens that dev mode accepts: HS256 with its fixed dev key. */
final class DevTokens {
  private DevTokens() {}

  /** A token for {@code sub}, valid for an hour. */
  static String user(String sub) {
    Vertx vertx = Vertx.vertx();
    try {
      return JWTAuth.create(
              vertx,
              new JWTAuthOptions()
                  .addPubSecKey(
                      new PubSecKeyOptions()
                          .setAlgorithm("HS256")
                          .setBuffer(DevMain.DEV_JWT_SECRET)))
          .generateToken(
              new JsonObject().put("sub", sub),
              new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(3600));
    } finally {
      vertx.close();
    }
  }
}
