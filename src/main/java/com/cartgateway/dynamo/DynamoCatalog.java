package com.cartgateway.dynamo;

import com.cartgateway.circuit.Circuits;
import com.cartgateway.events.SkuState;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The durable copy of the catalog in DynamoDB, as the write-behind worker keeps it: one {@link
 * VersionedItem} per SKU with {@code sku} (S, the key), {@code version} (N) and {@code state} (S,
 * the {@link SkuState} JSON).
 */
public final class DynamoCatalog {
  private final DynamoDbAsyncClient dynamo;
  private final String table;

  private final Circuits circuits;

  /** A catalog table read outside any circuit (tools and tests). */
  public DynamoCatalog(DynamoDbAsyncClient dynamo, String table) {
    this(dynamo, table, null);
  }

  /**
   * @param dynamo the process's client
   * @param table the catalog table
   * @param circuits the process's circuits: while it is open a scan fails at once
   */
  public DynamoCatalog(DynamoDbAsyncClient dynamo, String table, Circuits circuits) {
    this.dynamo = dynamo;
    this.table = table;
    this.circuits = circuits;
  }

  /** The item of a SKU state in the catalog table, as the worker stores it. */
  public static VersionedItem versioned(String table, SkuState state) {
    return VersionedItem.of(
        table, DynamoTables.SKU, state.sku(), state.version(), state.toJson(), Map.of());
  }

  /**
   * Reads some SKUs with strongly consistent reads, for cart reads while Redis is down: one
   * BatchGetItem, and one more for keys DynamoDB left unprocessed (throttled); keys left twice fail
   * the read rather than pass for SKUs the catalog lacks.
   *
   * @param skus at most 100 SKUs (a cart's lines)
   * @return the stored state of each SKU the table has; completes on the caller's Vert.x context
   *     when there is one
   */
  public Future<Map<String, SkuState>> read(Collection<String> skus) {
    Map<String, SkuState> found = new HashMap<>();
    if (skus.isEmpty()) {
      return Future.succeededFuture(found);
    }
    List<Map<String, AttributeValue>> keys =
        skus.stream()
            .distinct()
            .map(sku -> Map.of(DynamoTables.SKU, AttributeValue.fromS(sku)))
            .toList();
    return DynamoCalls.call(
        circuits,
        () -> batch(KeysAndAttributes.builder().keys(keys).consistentRead(true).build(), found, 2));
  }

  private CompletionStage<Map<String, SkuState>> batch(
      KeysAndAttributes keys, Map<String, SkuState> found, int attempts) {
    return dynamo
        .batchGetItem(BatchGetItemRequest.builder().requestItems(Map.of(table, keys)).build())
        .thenCompose(
            response -> {
              for (Map<String, AttributeValue> item :
                  response.responses().getOrDefault(table, List.of())) {
                SkuState state = SkuState.fromJson(VersionedItem.stateOf(item));
                found.put(state.sku(), state);
              }
              KeysAndAttributes left = response.unprocessedKeys().get(table);
              if (left == null || left.keys().isEmpty()) {
                return CompletableFuture.completedFuture(found);
              }
              return attempts > 1
                  ? batch(left, found, attempts - 1)
                  : CompletableFuture.failedFuture(
                      new IllegalStateException(
                          left.keys().size() + " catalog keys left unprocessed"));
            });
  }

  /**
   * Reads one page of the whole catalog with consistent reads: every write the worker completed.
   *
   * @param from where the previous page ended, or null for the first page
   */
  public Future<Page> scan(Map<String, AttributeValue> from) {
    return DynamoCalls.call(
            circuits,
            () ->
                dynamo.scan(
                    ScanRequest.builder()
                        .tableName(table)
                        .consistentRead(true)
                        .exclusiveStartKey(from)
                        .build()))
        .map(
            page -> {
              List<SkuState> states = new ArrayList<>(page.count());
              for (Map<String, AttributeValue> item : page.items()) {
                states.add(SkuState.fromJson(VersionedItem.stateOf(item)));
              }
              return new Page(states, page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null);
            });
  }

  /**
   * One page of the catalog.
   *
   * @param states the SKUs of the page
   * @param next where the next page starts, or null after the last
   */
  public record Page(List<SkuState> states, Map<String, AttributeValue> next) {}
}
