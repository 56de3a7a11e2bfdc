package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.cartgateway.commerce.CartLine;
import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigLoader;
import com.cartgateway.events.CartEvent;
import com.cartgateway.events.SkuState;
import com.cartgateway.events.Topics;
import com.cartgateway.identity.Owner;
import com.cartgateway.support.Contract;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.ContractErrorType;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIContractException;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Facts about the OpenAPI document as a document: that it is valid OpenAPI 3.1, that it lists the
 * routes the router serves, that its examples match its schemas, and that its event schemas match
 * the records the code writes. What the API answers is checked where it answers: every response an
 * integration test receives through {@code support.Gateway} is validated against this document
 * ({@link Contract}).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The OpenAPI document served at GET /openapi.yaml")
class OpenApiDocumentTest {
  private final OpenAPIContract contract = Contract.get().document();

  @Test
  @DisplayName("is an OpenAPI 3.1.0 document that vertx-openapi loads")
  void isOpenApi31() {
    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(contract.getRawContract().getString("openapi")).isEqualTo("3.1.0");
  }

  @Test
  @DisplayName("passes the OpenAPI 3.1 schema as served, stopping only at unmodelled media types")
  void passesSchemaAsServed(Vertx vertx, @TempDir Path dir) throws Exception {
    Path served = dir.resolve("openapi.yaml");
    Files.writeString(served, Contract.source(), StandardCharsets.UTF_8);
    Throwable failure =
        await(
            OpenAPIContract.from(vertx, served.toString())
                .map(loaded -> (Throwable) null)
                .otherwise(e -> e));
    // vertx-openapi checks the OpenAPI schema before it models operations, so a failure of the
    // unsupported-feature kind proves the schema check passed; a newer version may accept all.
    if (failure != null) {
      assertThat(failure).isInstanceOf(OpenAPIContractException.class);
      assertThat(((OpenAPIContractException) failure).type())
          .isEqualTo(ContractErrorType.UNSUPPORTED_FEATURE);
      assertThat(failure.getMessage()).contains("unsupported media type");
    }
  }

  @Test
  @DisplayName("lists exactly the routes the router serves, by method and path")
  void listsTheRoutesServed(Vertx vertx) throws Exception {
    Set<String> documented =
        contract.operations().stream()
            .map(op -> op.getHttpMethod().name() + " " + op.getOpenAPIPath())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> served =
        router(vertx).getRoutes().stream()
            .filter(route -> route.methods() != null && route.getPath() != null)
            .flatMap(
                route ->
                    route.methods().stream()
                        .map(method -> method.name() + " " + openApiPath(route.getPath())))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(served);
  }

  @Test
  @DisplayName("gives examples that match their own schemas, for carts, problems and orders too")
  void examplesMatchSchemas() {
    int checked = 0;
    Set<String> seen = new TreeSet<>();
    for (Operation operation : contract.operations()) {
      List<Map<String, MediaType>> contents = new ArrayList<>();
      if (operation.getRequestBody() != null) {
        contents.add(operation.getRequestBody().getContent());
      }
      for (String status : fields(operation.getOpenAPIModel().getJsonObject("responses"))) {
        contents.add(operation.getResponse(Integer.parseInt(status)).getContent());
      }
      for (Map<String, MediaType> content : contents) {
        for (MediaType media : content.values()) {
          JsonObject examples = media.getOpenAPIModel().getJsonObject("examples");
          if (examples == null || media.getSchema() == null) {
            continue;
          }
          for (String name : fields(examples)) {
            // References to components/examples arrive resolved, so the value is inline.
            Object value = examples.getJsonObject(name).getValue("value");
            OutputUnit result =
                contract.getSchemaRepository().validator(media.getSchema()).validate(value);
            if (!Boolean.TRUE.equals(result.getValid())) {
              fail(
                  "example %s of %s %s is invalid: %s",
                  name, operation.getHttpMethod(), operation.getOpenAPIPath(), result.toJson());
            }
            seen.add(operation.getOperationId());
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(30);
    assertThat(seen).contains("getCart", "addItem", "checkout", "mergeCart", "getSku");
  }

  @Test
  @DisplayName(
      "lists every Kafka topic in x-events, keyed by cart id but catalog.events by SKU, whose"
          + " record schema a SkuState matches")
  void listsEvents() {
    JsonObject topics = topics();
    assertThat(fields(topics)).containsExactlyInAnyOrderElementsOf(Topics.ALL);
    for (String topic : fields(topics)) {
      assertThat(topics.getJsonObject(topic).getString("key"))
          .as(topic)
          .isEqualTo(topic.equals(Topics.CATALOG_EVENTS) ? "sku" : "cart id");
    }
    JsonObject state = new SkuState("SKU-1", 4, 2999, "USD", 100, 7, 1_795_000_000_000L).toJson();
    JsonObject schema =
        resolve(topics.getJsonObject(Topics.CATALOG_EVENTS).getJsonObject("schema"));
    assertValid(schema, state);
    assertThat(schema.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(state.fieldNames());
  }

  @Test
  @DisplayName("gives cart.events the schema of the records CartEvent writes, held or emptied")
  void describesCartChangeEvents() {
    JsonObject schema = resolve(topics().getJsonObject(Topics.CART_EVENTS).getJsonObject("schema"));
    Owner owner = new Owner("user", "alice");
    JsonObject held =
        new CartEvent(
                "u:alice",
                owner,
                3,
                1_795_000_000_000L,
                "USD",
                List.of(
                    new CartLine(
                        "SKU-1",
                        2,
                        2999,
                        1_794_999_000_000L,
                        1_795_000_000_000L,
                        2,
                        1_795_000_900_000L,
                        new JsonObject().put("size", "M"))))
            .toJson();
    JsonObject emptied =
        new CartEvent("u:alice", owner, 4, 1_795_000_100_000L, null, List.of()).toJson();
    assertValid(schema, held);
    assertValid(schema, emptied);
    assertThat(schema.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(held.fieldNames());
    JsonObject line = held.getJsonArray("lines").getJsonObject(0);
    JsonObject lineSchema =
        schema.getJsonObject("properties").getJsonObject("lines").getJsonObject("items");
    assertThat(lineSchema.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(line.fieldNames());
    assertThat(fields(lineSchema.getJsonObject("properties")))
        .containsExactlyInAnyOrderElementsOf(line.fieldNames());
  }

  /**
   * The gateway's router, built on an event loop as a verticle builds it. No request is routed, so
   * the services behind the handlers are left out.
   */
  private static Router router(Vertx vertx) throws Exception {
    AppConfig config =
        ConfigLoader.fromLayers(
            new JsonObject(),
            new Properties(),
            Map.of(
                "CART_JWT_SECRET", "0123456789abcdef0123456789abcdef",
                "CART_ADMIN_TOKEN", "admin-token-0123456789"));
    Context context = vertx.getOrCreateContext();
    Promise<Router> built = Promise.promise();
    context.runOnContext(
        nothing ->
            built.complete(
                ApiRoutes.router(
                    vertx,
                    config,
                    new CartHandlers(null, null, null, null, null, null, null, 0),
                    new CatalogHandlers(null, null, null, null),
                    null,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                    Optional.empty())));
    return await(built.future());
  }

  /** {@code /v1/cart/items/:sku} as OpenAPI writes it, {@code /v1/cart/items/{sku}}. */
  private static String openApiPath(String vertxPath) {
    return vertxPath.replaceAll(":(\\w+)", "{$1}");
  }

  private JsonObject topics() {
    return contract.getRawContract().getJsonObject("x-events").getJsonObject("topics");
  }

  private void assertValid(JsonObject schema, JsonObject value) {
    OutputUnit result =
        contract.getSchemaRepository().validator(JsonSchema.of(schema)).validate(value);
    if (!Boolean.TRUE.equals(result.getValid())) {
      fail("%s does not match its schema: %s", value.encode(), result.toJson());
    }
  }

  /** A schema itself, or the component schema it references when it is a bare reference. */
  private JsonObject resolve(JsonObject schema) {
    String ref = schema.getString("$ref");
    String prefix = "#/components/schemas/";
    if (ref != null && ref.startsWith(prefix)) {
      return contract
          .getRawContract()
          .getJsonObject("components")
          .getJsonObject("schemas")
          .getJsonObject(ref.substring(prefix.length()));
    }
    return schema;
  }

  private static Set<String> fields(JsonObject object) {
    return object.fieldNames().stream()
        .filter(JsonSchema.EXCLUDE_ANNOTATIONS)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
