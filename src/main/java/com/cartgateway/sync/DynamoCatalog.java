package com.cartgateway.sync;

import com.cartgateway.circuit.Circuits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * The durable copy of the catalog in DynamoDB, as the write-behind worker keeps it: one item a SKU
 * with {@code sku} (S, the key), {@code version} (N) and {@code state} (S, the {@link SkuState}
 * JSON).
 */
public final class DynamoCatalog {
  private final DynamoDbAsyncClient dynamo;
  private final String table;

  private final Circuits circuits;

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
  static VersionedItem versioned(String table, SkuState state) {
    return new VersionedItem(
        table,
        DynamoTables.SKU,
        state.sku(),
        state.version(),
        Map.of(
            DynamoTables.SKU,
            AttributeValue.fromS(state.sku()),
            DynamoCarts.VERSION,
            AttributeValue.fromN(Long.toString(state.version())),
            DynamoCarts.STATE,
            AttributeValue.fromS(state.toJson().encode())));
  }

  /**
   * Reads one page of the whole catalog with consistent reads: every write the worker completed.
   *
   * @param from where the previous page ended, or null for the first page
   */
  public Future<Page> scan(Map<String, AttributeValue> from) {
    return circuits.call(Circuits.DYNAMODB, () -> page(from));
  }

  private Future<Page> page(Map<String, AttributeValue> from) {
    return Future.fromCompletionStage(
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
                states.add(SkuState.fromJson(new JsonObject(item.get(DynamoCarts.STATE).s())));
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
