package com.cartgateway.dynamo;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.events.CartEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

/**
 * The durable copy of carts in DynamoDB, as the write-behind worker keeps it: one item per cart
 * with {@code cartId} (S, the key), {@code version} (N), {@code updatedAt} (N, epoch millis),
 * {@code expiresAt} (N, epoch seconds: the table's TTL, 30 days after the last change) and {@code
 * state} (S, the {@link CartEvent} JSON).
 */
public final class DynamoCarts {
  /** The cart's version; the write-behind worker never lowers it. */
  public static final String VERSION = "version";

  /** Epoch millis of the cart's last change. */
  public static final String UPDATED_AT = "updatedAt";

  /** The cart's state: the JSON of its newest {@link CartEvent}. */
  public static final String STATE = "state";

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
    return circuits == null ? get(cartId) : circuits.call(Circuits.DYNAMODB, () -> get(cartId));
  }

  private Future<Optional<CartEvent>> get(String cartId) {
    CompletionStage<Optional<CartEvent>> read =
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
                        ? Optional.of(event(response.item()))
                        : Optional.empty());
    Context context = Vertx.currentContext();
    return context == null
        ? Future.fromCompletionStage(read)
        : Future.fromCompletionStage(read, context);
  }

  /** The item of an event in the carts table, as the worker stores it. */
  public static VersionedItem versioned(String table, CartEvent event) {
    return new VersionedItem(
        table, DynamoTables.CART_ID, event.cartId(), event.version(), item(event));
  }

  /** The item of an event; {@code state} is the event's JSON. */
  static Map<String, AttributeValue> item(CartEvent event) {
    return Map.of(
        DynamoTables.CART_ID,
        AttributeValue.fromS(event.cartId()),
        VERSION,
        AttributeValue.fromN(Long.toString(event.version())),
        UPDATED_AT,
        AttributeValue.fromN(Long.toString(event.updatedAt())),
        DynamoTables.EXPIRES_AT,
        AttributeValue.fromN(Long.toString(expiresAt(event))),
        STATE,
        AttributeValue.fromS(event.toJson().encode()));
  }

  /** Epoch seconds when the TTL may remove the cart: 30 days after its last change. */
  static long expiresAt(CartEvent event) {
    return event.updatedAt() / 1000 + RETENTION.toSeconds();
  }

  private static CartEvent event(Map<String, AttributeValue> item) {
    return CartEvent.fromJson(new JsonObject(item.get(STATE).s()));
  }
}
