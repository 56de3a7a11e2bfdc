package com.cartgateway.process;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartBodies;
import com.cartgateway.cart.RefusedWriters;
import com.cartgateway.durability.GroupProgress;
import com.cartgateway.events.DirectSends;
import com.cartgateway.inventory.PriceCache;
import com.cartgateway.store.NearCache;
import com.cartgateway.trace.SpanExport;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Producer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * The thread-safe clients that the verticles of one process share (each verticle keeps its own
 * Redis connections).
 *
 * @param registry the metrics registry
 * @param prices the price cache
 * @param bodies the rendered cart bodies
 * @param nearCache the copies of carts served while Redis says they have not changed
 * @param refusedWriters the writers refused a rate-limit token lately
 * @param kafkaAdmin the Kafka admin client
 * @param dynamo the DynamoDB client
 * @param producer the idempotent, {@code acks=all} Kafka producer
 * @param sends when a send of that producer may go straight from an event loop
 * @param spans the export of spans over OTLP, when configured
 * @param cartProgress the worker group's progress on {@code cart.events}, which the health checks
 *     report, the worker exports and the cart rebuild waits on, all sharing its cache
 * @param catalogProgress the worker group's progress on {@code catalog.events}, which the catalog
 *     rebuild waits on
 */
public record ProcessClients(
    PrometheusMeterRegistry registry,
    PriceCache prices,
    CartBodies bodies,
    NearCache<Cart> nearCache,
    RefusedWriters refusedWriters,
    Admin kafkaAdmin,
    DynamoDbAsyncClient dynamo,
    Producer<String, String> producer,
    DirectSends sends,
    Optional<SpanExport> spans,
    GroupProgress cartProgress,
    GroupProgress catalogProgress) {}
