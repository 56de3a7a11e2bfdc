package com.cartgateway.dynamo;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One DynamoDB item the worker stores: the state of one key (a cart, a SKU) at one version. The
 * newest version of a key wins, whatever order the writes come in.
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

  /** Identifies the key across tables, for coalescing. */
  public String slot() {
    return table + '\u0000' + key;
  }
}
