package com.cartgateway.http;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A request refused at the HTTP layer (bad input, bad headers); nothing was changed. */
final class ApiError extends RuntimeException {
  final ProblemType type;
  final JsonObject extras;

  ApiError(ProblemType type, String detail, JsonObject extras) {
    super(detail, null, false, false);
    this.type = type;
    this.extras = extras;
  }

  static ApiError invalid(String field, String message) {
    return new ApiError(
        ProblemType.INVALID_REQUEST,
        field + ": " + message,
        new JsonObject()
            .put(
                "errors",
                new JsonArray().add(new JsonObject().put("field", field).put("message", message))));
  }
}
