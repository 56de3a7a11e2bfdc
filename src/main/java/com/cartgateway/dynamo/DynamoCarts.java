package com.cartgateway.dynamo;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.events.CartEvent;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * The durable copy of carts in DynamoDB, as the write-behind worker keeps it: one {@link
 * VersionedItem} per cart with {@code cartId} (S, the key), {@code version} (N), {@code updatedAt}
 * (N, epoch millis), {@code expiresAt} (N, epoch seconds: the table's TTL, 30 days after the last
 * change) and {@code state} (S, the {@link CartEvent} JSON).
 */
public final class DynamoCarts {
  /** Epoch millis of the cart's last change. */
  public static final String UPDATED_AT = "updatedAt";

  /** How long an untouched cart stays in DynamoDB before its TTL removes it. */
  public static final Duration RETENTION = Duration.ofDays(30);

  private final DynamoDbAsyncClient dynamo;
  private final String table;

  // null for a reader outside the gateway's processes (a tool, a test): no circuit
  private final Circuits circuits;

  /**
   * A reader for tools and tests, outside the process's {@code dynamodb} circuit.
   *
   * @param dynamo the client
   * @param table the carts table
   */
  public DynamoCarts(DynamoDbAsyncClient dynamo, String table) {
    this(dynamo, table, null);
  }

  /**
   * @param dynamo the process's client
   * @param table the carts table
   * @param circuits the process's circuits: while it is open a read fails at once
   */
  public DynamoCarts(DynamoDbAsyncClient dynamo, String table, Circuits circuits) {
    this.dynamo = dynamo;
    this.table = table;
    this.circuits = circuits;
  }

  /**
   * Reads a cart with a strongly consistent read: it sees every write the worker has completed.
   *
   * @param cartId the cart id
   * @return the stored event, or empty when DynamoDB has no such cart; completes on the caller's
   *     Vert.x context when there is one
   */
  public Future<Optional<CartEvent>> read(String cartId) {
    return DynamoCalls.call(
        circuits,
        () ->
            dynamo
                .getItem(
                    GetItemRequest.builder()
                        .tableName(table)
                        .key(Map.of(DynamoTables.CART_ID, AttributeValue.fromS(cartId)))
                        .consistentRead(true)
                        .build())
                .thenApply(
                    response ->
                        response.hasItem() && !response.item().isEmpty()
                            ? Optional.of(
                                CartEvent.fromJson(VersionedItem.stateOf(response.item())))
                            : Optional.empty()));
  }

  /** The item of an event in the carts table, as the worker stores it. */
  public static VersionedItem versioned(String table, CartEvent event) {
    return VersionedItem.of(
        table,
        DynamoTables.CART_ID,
        event.cartId(),
        event.version(),
        event.toJson(),
        Map.of(
            UPDATED_AT,
            AttributeValue.fromN(Long.toString(event.updatedAt())),
            DynamoTables.EXPIRES_AT,
            AttributeValue.fromN(Long.toString(expiresAt(event)))));
  }

  /** Epoch seconds when the TTL may remove the cart: 30 days after its last change. */
  static long expiresAt(CartEvent event) {
    return event.updatedAt() / 1000 + RETENTION.toSeconds();
  }
}
