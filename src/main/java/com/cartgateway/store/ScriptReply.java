package com.cartgateway.store;

import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;

/**
 * What a script answered: a number, a string or an array of them, decoded by the caller that knows
 * the script's reply. Redis nil is null, as an element too.
 */
public final class ScriptReply {
  private final Response response;

  private ScriptReply(Response response) {
    this.response = response;
  }

  static ScriptReply of(Response response) {
    return response == null ? null : new ScriptReply(response);
  }

  /** The element at {@code index} of an array, null where it is nil. */
  public ScriptReply get(int index) {
    return of(response.get(index));
  }

  /** The number of elements of an array. */
  public int size() {
    return response.size();
  }

  /** A number (or a string of one) as an int. */
  public Integer toInteger() {
    return response.toInteger();
  }

  /** A number (or a string of one) as a long. */
  public Long toLong() {
    return response.toLong();
  }

  /** A flat array of field-value pairs, as HGETALL answers, as a map. */
  public Map<String, String> toMap() {
    return pairs(response);
  }

  /** A flat array of field-value pairs as a map; empty for nil. */
  static Map<String, String> pairs(Response flat) {
    Map<String, String> map = new HashMap<>();
    if (flat != null) {
      for (int i = 0; i + 1 < flat.size(); i += 2) {
        map.put(flat.get(i).toString(), flat.get(i + 1).toString());
      }
    }
    return map;
  }

  /** A string, or the text of any other reply. */
  @Override
  public String toString() {
    return response.toString();
  }
}
