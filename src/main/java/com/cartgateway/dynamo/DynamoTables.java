package com.cartgateway.dynamo;

import com.cartgateway.config.AppConfig;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClientBuilder;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;

/** The DynamoDB client of a process and the tables the gateway needs. */
public final class DynamoTables {
  /** Partition key of the carts table. */
  public static final String CART_ID = "cartId";

  /** TTL attribute of the carts table: epoch seconds of the last change plus 30 days. */
  public static final String EXPIRES_AT = "expiresAt";

  /** Partition key of the catalog table. */
  public static final String SKU = "sku";

  private DynamoTables() {}

  /**
   * An async client for the configured endpoint. Against an endpoint override (DynamoDB Local)
   * without AWS credentials in the environment, static dummy credentials are used.
   */
  public static DynamoDbAsyncClient client(AppConfig.DynamoDb config) {
    DynamoDbAsyncClientBuilder builder =
        DynamoDbAsyncClient.builder()
            .region(Region.of(config.region()))
            .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64));
    config.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
    builder.credentialsProvider(credentials(config));
    return builder.build();
  }

  private static AwsCredentialsProvider credentials(AppConfig.DynamoDb config) {
    boolean local = config.endpoint().isPresent() && System.getenv("AWS_ACCESS_KEY_ID") == null;
    return local
        ? StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))
        : DefaultCredentialsProvider.builder().build();
  }

  /**
   * Creates the carts and catalog tables when they do not exist (dev mode and tests; production
   * creates them with the commands in docs/durability.md).
   */
  public static CompletableFuture<Void> ensure(
      DynamoDbAsyncClient client, AppConfig.DynamoDb config) {
    CompletableFuture<Void> carts =
        create(client, config.cartsTable(), CART_ID)
            .thenCompose(
                ignored ->
                    client
                        .updateTimeToLive(
                            UpdateTimeToLiveRequest.builder()
                                .tableName(config.cartsTable())
                                .timeToLiveSpecification(
                                    TimeToLiveSpecification.builder()
                                        .attributeName(EXPIRES_AT)
                                        .enabled(true)
                                        .build())
                                .build())
                        // Refused when TTL is already on: the state we want.
                        .handle((ok, e) -> null));
    CompletableFuture<Void> catalog = create(client, config.catalogTable(), SKU);
    return CompletableFuture.allOf(carts, catalog);
  }

  private static CompletableFuture<Void> create(
      DynamoDbAsyncClient client, String table, String key) {
    return client
        .createTable(
            CreateTableRequest.builder()
                .tableName(table)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(
                    AttributeDefinition.builder()
                        .attributeName(key)
                        .attributeType(ScalarAttributeType.S)
                        .build())
                .keySchema(
                    KeySchemaElement.builder().attributeName(key).keyType(KeyType.HASH).build())
                .build())
        .handle(
            (created, e) -> {
              Throwable cause = e instanceof CompletionException ? e.getCause() : e;
              if (cause != null && !(cause instanceof ResourceInUseException)) {
                throw new CompletionException(cause);
              }
              return null;
            });
  }
}
