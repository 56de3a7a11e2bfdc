package com.cartgateway.worker;

import com.cartgateway.config.AppConfig;
import com.cartgateway.dynamo.DynamoCarts;
import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.dynamo.VersionedItem;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns the records of a batch into the items it stores: cart events into the carts table, SKU
 * states into the catalog table. A record that is neither is counted, logged and skipped.
 */
final class RecordDecoder {
  private static final Logger LOG = Logger.getLogger(RecordDecoder.class.getName());

  private final AppConfig.DynamoDb tables;
  private final WriteBehindMetrics metrics;

  /**
   * @param tables the names of the carts and catalog tables
   * @param metrics where skipped records are counted
   */
  RecordDecoder(AppConfig.DynamoDb tables, WriteBehindMetrics metrics) {
    this.tables = tables;
    this.metrics = metrics;
  }

  List<VersionedItem> decode(List<ConsumerRecord<String, String>> batch) {
    List<VersionedItem> items = new ArrayList<>(batch.size());
    for (ConsumerRecord<String, String> record : batch) {
      try {
        JsonObject value = new JsonObject(record.value());
        items.add(
            Topics.CATALOG_EVENTS.equals(record.topic())
                ? DynamoCatalog.versioned(tables.catalogTable(), SkuState.fromJson(value))
                : DynamoCarts.versioned(tables.cartsTable(), CartEvent.fromJson(value)));
      } catch (RuntimeException e) {
        // One bad record must not hold its partition back forever; it cannot be stored anyway.
        metrics.invalid.increment();
        LOG.log(
            Level.SEVERE,
            "skipping a record that is not a cart event or a SKU state: "
                + record.topic()
                + "-"
                + record.partition()
                + "@"
                + record.offset()
                + ": "
                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
      }
    }
    return items;
  }
}
