package com.cartgateway.dynamo;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One DynamoDB item the worker stores: the state of one key (a cart, a SKU) at one version. The
 * newest version of a key wins, whatever order the writes come in. Both tables hold such items: the
 * key, {@link #VERSION} (N) and {@link #STATE} (S, the JSON of the state), and what a table adds.
 *
 * @param table the table
 * @param keyName the table's partition key attribute
 * @param key the key's value
 * @param version the state's version; a put never replaces a version at or above it
 * @param attributes the whole item, key and version included
 */
public record VersionedItem(
    String table,
    String keyName,
    String key,
    long version,
    Map<String, AttributeValue> attributes) {

  /** The state's version; the write-behind worker never lowers it. */
  public static final String VERSION = "version";

  /** The state: the JSON of its newest event. */
  public static final String STATE = "state";

  /**
   * The item of a state.
   *
   * @param extra what the table keeps beside the key, the version and the state
   */
  static VersionedItem of(
      String table,
      String keyName,
      String key,
      long version,
      JsonObject state,
      Map<String, AttributeValue> extra) {
    Map<String, AttributeValue> attributes = new HashMap<>(extra);
    attributes.put(keyName, AttributeValue.fromS(key));
    attributes.put(VERSION, AttributeValue.fromN(Long.toString(version)));
    attributes.put(STATE, AttributeValue.fromS(state.encode()));
    return new VersionedItem(table, keyName, key, version, Map.copyOf(attributes));
  }

  /** The state a stored item holds. */
  static JsonObject stateOf(Map<String, AttributeValue> item) {
    return new JsonObject(item.get(STATE).s());
  }

  /** Identifies the key across tables, for coalescing. */
  public String slot() {
    return table + '\u0000' + key;
  }
}
