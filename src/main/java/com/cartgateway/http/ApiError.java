package com.cartgateway.http;

import io.vertx.core.json.JsonObject;

/** A request refused at the HTTP layer (bad input, bad headers); nothing was changed. */
final class ApiError extends RuntimeException {
  final int status;
  final String code;
  final JsonObject extras;

  ApiError(int status, String code, String detail, JsonObject extras) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.extras = extras;
  }

  static ApiError invalid(String field, String message) {
    return new ApiError(
        400,
        "validation_failed",
        field + ": " + message,
        new JsonObject()
            .put(
                "errors",
                new io.vertx.core.json.JsonArray()
                    .add(new JsonObject().put("field", field).put("message", message))));
  }
}
