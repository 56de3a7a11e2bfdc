package com.cartgateway.inventory;

import com.cartgateway.dynamo.DynamoCatalog;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import com.cartgateway.store.Epoch;
import com.cartgateway.store.Lease;
import com.cartgateway.store.RedisGateway;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.store.Scripts;
import com.cartgateway.store.SkuRecords;
import com.cartgateway.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Brings the catalog back into a Redis that lost its data: every SKU's price, stock and sold count
 * from the catalog table, once the worker has stored every state acknowledged before the loss.
 *
 * <p>It keys on the epoch that {@code CartRebuilder} keeps ({@code gateway:epoch}): once the
 * publish window has passed since the epoch began, the end offsets of {@code catalog.events} are
 * recorded ({@code catalogEnds}); once the worker group has committed past them, one process
 * (holding a short lease) copies every SKU Redis lacks from the catalog table, and marks the epoch
 * {@code catalog=restored}. Until then a SKU missing from Redis may just not be back yet, so
 * whatever finds one answers 503 rather than 404 ({@link #confirmUnknown}). Holds are not restored
 * here: they come back with their carts.
 */
public final class CatalogRebuilder {
  private static final Logger LOG = Logger.getLogger(CatalogRebuilder.class.getName());
  private static final String SINCE = "since";
  private static final String ENDS = "catalogEnds";
  private static final String STATE = "catalog";
  private static final String RESTORED = "restored";
  private static final String LEASE = RedisKeys.EPOCH + ":catalog-lease";
  private static final Duration LEASE_TIME = Duration.ofSeconds(60);

  private final RedisGateway redis;
  private final Admin admin;
  private final String groupId;
  private final DynamoCatalog dynamo;
  private final Duration publishWindow;
  private final Clock clock;
  private boolean running;

  /**
   * @param redis the verticle's Redis client
   * @param admin the process's Kafka admin client
   * @param groupId the worker group, whose committed offsets say what DynamoDB has
   * @param dynamo the durable catalog
   * @param publishWindow the longest a change applied in Redis may take to reach Kafka or fail
   * @param clock the wall clock the epoch's start was taken with
   */
  public CatalogRebuilder(
      RedisGateway redis,
      Admin admin,
      String groupId,
      DynamoCatalog dynamo,
      Duration publishWindow,
      Clock clock) {
    this.redis = redis;
    this.admin = admin;
    this.groupId = groupId;
    this.dynamo = dynamo;
    this.publishWindow = publishWindow;
    this.clock = clock;
  }

  /**
   * Moves the restore of this epoch on by one step, if there is one to take; called every second by
   * each HTTP verticle, one step at a time.
   */
  public Future<Void> tick() {
    if (running) {
      return Future.succeededFuture();
    }
    running = true;
    return step().onComplete(done -> running = false);
  }

  /**
   * Succeeds when a SKU that Redis lacks is truly not in the catalog; fails as unavailable while
   * the catalog of this epoch is not restored yet.
   */
  public Future<Void> confirmUnknown() {
    return Epoch.field(redis, STATE)
        .compose(
            state ->
                state.filter(RESTORED::equals).isPresent()
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        new StoreUnavailableException(
                            "catalog",
                            new IllegalStateException("the catalog is not restored yet"))));
  }

  private Future<Void> step() {
    return Epoch.fields(redis)
        .compose(
            reply -> {
              if (reply.containsKey(STATE) || !reply.containsKey(SINCE)) {
                return Future.succeededFuture();
              }
              long since = Long.parseLong(reply.get(SINCE));
              if (clock.millis() < since + publishWindow.toMillis()) {
                return Future.succeededFuture();
              }
              Future<JsonObject> ends =
                  reply.containsKey(ENDS)
                      ? Future.succeededFuture(new JsonObject(reply.get(ENDS)))
                      : settle();
              return ends.compose(this::caughtUp)
                  .compose(ready -> ready ? restoreOnce() : Future.succeededFuture());
            });
  }

  /** Records the end offsets of catalog.events: every state acknowledged before the loss. */
  private Future<JsonObject> settle() {
    return partitions()
        .compose(
            partitions ->
                Future.fromCompletionStage(
                    admin
                        .listOffsets(
                            partitions.stream()
                                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
                        .all()
                        .toCompletionStage()))
        .compose(
            latest -> {
              JsonObject ends = new JsonObject();
              for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : latest.entrySet()) {
                ends.put(Integer.toString(end.getKey().partition()), end.getValue().offset());
              }
              return Epoch.setIfAbsent(redis, ENDS, ends.encode())
                  .compose(set -> Epoch.field(redis, ENDS))
                  .map(current -> new JsonObject(current.orElseThrow()));
            });
  }

  private Future<Boolean> caughtUp(JsonObject ends) {
    return Future.fromCompletionStage(
            admin
                .listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata()
                .toCompletionStage())
        .map(
            committed -> {
              for (String partition : ends.fieldNames()) {
                long end = ends.getLong(partition);
                OffsetAndMetadata at =
                    committed.get(
                        new TopicPartition(Topics.CATALOG_EVENTS, Integer.parseInt(partition)));
                if (end > 0 && (at == null || at.offset() < end)) {
                  return false;
                }
              }
              return true;
            });
  }

  private Future<List<TopicPartition>> partitions() {
    return Future.fromCompletionStage(
            admin
                .describeTopics(List.of(Topics.CATALOG_EVENTS))
                .allTopicNames()
                .toCompletionStage())
        .map(
            topics -> {
              TopicDescription topic = topics.get(Topics.CATALOG_EVENTS);
              List<TopicPartition> all = new ArrayList<>();
              topic
                  .partitions()
                  .forEach(p -> all.add(new TopicPartition(Topics.CATALOG_EVENTS, p.partition())));
              return all;
            });
  }

  /** One process restores: the lease holder; the others find the epoch marked when it is done. */
  private Future<Void> restoreOnce() {
    String holder = UUID.randomUUID().toString();
    return Lease.take(redis, LEASE, holder, LEASE_TIME)
        .compose(
            leased -> {
              if (!leased) {
                return Future.succeededFuture();
              }
              return restorePage(null, 0)
                  .compose(
                      restored -> {
                        LOG.log(
                            Level.INFO,
                            "catalog restored from DynamoDB after Redis lost its data: {0} SKUs",
                            restored);
                        return Epoch.set(redis, STATE, RESTORED);
                      })
                  .eventually(() -> Lease.drop(redis, LEASE))
                  .mapEmpty();
            });
  }

  private Future<Integer> restorePage(Map<String, AttributeValue> from, int restored) {
    return dynamo
        .scan(from)
        .compose(
            page -> {
              Future<Integer> chain = Future.succeededFuture(restored);
              for (SkuState state : page.states()) {
                chain = chain.compose(n -> restore(state).map(done -> n + (done ? 1 : 0)));
              }
              return page.next() == null ? chain : chain.compose(n -> restorePage(page.next(), n));
            });
  }

  private Future<Boolean> restore(SkuState state) {
    return Scripts.SKU_RESTORE
        .call(
            redis,
            List.of(RedisKeys.sku(state.sku())),
            List.of(
                state.sku(),
                state.price(),
                state.currency(),
                state.stock(),
                state.sold(),
                state.version(),
                state.updatedAt()))
        .compose(restored -> SkuRecords.index(redis, state.sku()).map(restored.toInteger() == 1));
  }
}
