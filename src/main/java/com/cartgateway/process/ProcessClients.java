package com.cartgateway.process;

import com.cartgateway.cart.Cart;
import com.cartgateway.cart.CartBodies;
import com.cartgateway.cart.RefusedWriters;
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
    Optional<SpanExport> spans) {}
