package com.cartgateway.app;

import com.cartgateway.cart.CartBodies;
import com.cartgateway.cart.RefusedWriters;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.Role;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.dynamo.DynamoTables;
import com.cartgateway.events.DirectSends;
import com.cartgateway.events.Topics;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.process.ProcessClients;
import com.cartgateway.store.NearCache;
import com.cartgateway.store.RedisKeys;
import com.cartgateway.trace.SpanExport;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Builds and closes the thread-safe clients that the verticles of one process share. */
final class SharedClients {
  private SharedClients() {}

  /** Every shared client, built once per process. */
  static ProcessClients create(Vertx vertx, AppConfig config, PrometheusMeterRegistry registry) {
    Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
    return new ProcessClients(
        registry,
        new PriceCache(config.cart().priceCacheTtl(), registry),
        new CartBodies(config.cart().bodyCacheBytes(), registry),
        NearCache.start(
            vertx,
            config.redis(),
            config.roles().contains(Role.HTTP) ? config.cart().nearCacheEntries() : 0,
            RedisKeys.CART_PREFIX,
            "cart_near_cache",
            registry),
        new RefusedWriters(),
        admin,
        DynamoTables.client(config.dynamoDb()),
        producer(config.kafka()),
        new DirectSends(),
        SpanExport.start(config.tracing(), config.roles()),
        // One reader per topic and process: every verticle shares its cache and its one read.
        GroupProgress.ofWorkers(admin, config.worker().groupId(), Topics.CART_EVENTS, registry),
        GroupProgress.ofWorkers(admin, config.worker().groupId(), Topics.CATALOG_EVENTS, registry));
  }

  /**
   * Closes what the verticles no longer use, once they have stopped: the producer flushes, so that
   * every record sent before the stop reaches the brokers, and the spans of the last requests and
   * batches are exported.
   */
  static void close(ProcessClients clients) {
    clients.producer().close(Duration.ofSeconds(10));
    clients.kafkaAdmin().close(Duration.ofSeconds(5));
    clients.dynamo().close();
    clients.spans().ifPresent(spans -> spans.close(10, TimeUnit.SECONDS));
  }

  /**
   * One producer per process (it is thread-safe and batches across verticles): idempotent, with
   * {@code acks=all}, so that an acknowledged record survives the loss of a broker.
   */
  private static Producer<String, String> producer(AppConfig.Kafka kafka) {
    int delivery = (int) kafka.deliveryTimeout().toMillis();
    Map<String, Object> settings = new HashMap<>();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, 1);
    settings.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(delivery / 2, 100));
    settings.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, delivery);
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, delivery);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return new KafkaProducer<>(settings);
  }
}
