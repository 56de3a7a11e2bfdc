package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.cartgateway.sync.CartEvent;
import com.cartgateway.sync.SkuState;
import com.cartgateway.sync.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.ContractErrorType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIContractException;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the OpenAPI document that the gateway serves at {@code GET /openapi.yaml} against the
 * external contract: it must be an OpenAPI 3.1 document that a real validator (vertx-openapi)
 * accepts, and it must describe every route of the contract with exactly the success and error
 * statuses, problem codes, headers and identities that the gateway answers with.
 *
 * <p>vertx-openapi 5.0.8 refuses to build a contract whose responses use a media type outside its
 * fixed list (JSON, {@code vnd.*+json}, text, multipart, octet-stream) and offers no way to add
 * one, yet the contract requires {@code application/problem+json} (RFC 9457) and the document is
 * served as {@code application/yaml}. So the document is checked twice: as served, where the
 * validator must get past the OpenAPI 3.1 schema and stop only at those media types; and as a copy
 * in which exactly those two media-type keys are renamed to vendor JSON types, which the library
 * loads fully. The OpenAPI schema does not constrain media-type keys, so the copy is valid exactly
 * when the original is; the assertions translate the names back.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("The OpenAPI document served at GET /openapi.yaml")
class OpenApiDocumentTest {
  private static final String RESOURCE = "openapi.yaml";
  private static final String PROBLEM_JSON = "application/problem+json";
  private static final String YAML = "application/yaml";

  /** Real media type to the vendor JSON name vertx-openapi 5.0.8 accepts in its place. */
  private static final Map<String, String> ALIASES =
      Map.of(
          PROBLEM_JSON, "application/vnd.cart-gateway.problem+json",
          YAML, "application/vnd.cart-gateway.openapi-yaml+json");

  private static final Set<String> STANDARD_HEADERS =
      Set.of("X-Request-Id", "X-Content-Type-Options", "X-Frame-Options");
  private static final Set<String> CART_HEADERS = Set.of("Cache-Control", "Vary", "traceparent");
  private static final String CHECKOUT = "/v1/cart/checkout";
  private static final String IN_PROGRESS = "request_in_progress";

  /**
   * Refusals found while a write runs: they are kept under the write's Idempotency-Key and replayed
   * like a success (422 {@code validation_failed} too, which the table handles apart from the 400
   * of the same code, refused before the write starts; and the merge's 403 {@code forbidden} for a
   * guest session merged into another shopper's cart).
   */
  private static final Set<String> KEPT_REFUSALS =
      Set.of(
          "line_not_found",
          "unknown_sku",
          "out_of_stock",
          "price_changed",
          "version_conflict",
          "cart_full",
          "forbidden");

  /**
   * Every route of the contract with every status it documents; an error status lists the problem
   * codes it may carry. This table is the contract's side of the comparison, so a route or status
   * that appears in only one of the two fails a test.
   */
  private static final List<Route> ROUTES =
      List.of(
          route(
              "GET /v1/cart",
              "200",
              "304",
              "400 validation_failed",
              "401 unauthorized",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "DELETE /v1/cart",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "409 request_in_progress",
              "412 version_conflict",
              "422 idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "POST /v1/cart/items",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "404 unknown_sku",
              "409 out_of_stock request_in_progress",
              "412 version_conflict",
              "413 payload_too_large",
              "415 unsupported_media_type",
              "422 cart_full validation_failed idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "PUT /v1/cart/items/{sku}",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "404 line_not_found",
              "409 out_of_stock request_in_progress",
              "412 version_conflict",
              "413 payload_too_large",
              "415 unsupported_media_type",
              "422 idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "DELETE /v1/cart/items/{sku}",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "409 request_in_progress",
              "412 version_conflict",
              "422 idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "POST /v1/cart/merge",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "403 forbidden",
              "409 request_in_progress",
              "412 version_conflict",
              "413 payload_too_large",
              "415 unsupported_media_type",
              "422 idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          route(
              "POST /v1/cart/checkout",
              "201",
              "400 validation_failed",
              "401 unauthorized",
              "409 out_of_stock price_changed request_in_progress",
              "412 version_conflict",
              "413 payload_too_large",
              "415 unsupported_media_type",
              "422 validation_failed idempotency_key_reused",
              "429 rate_limited",
              "503 unavailable"),
          // Admin routes are not rate limited.
          route(
              "PUT /v1/admin/skus/{sku}",
              "200",
              "400 validation_failed",
              "401 unauthorized",
              "403 forbidden",
              "413 payload_too_large",
              "415 unsupported_media_type",
              "422 validation_failed",
              "503 unavailable"),
          route(
              "GET /v1/skus/{sku}",
              "200",
              "400 validation_failed",
              "404 unknown_sku",
              "429 rate_limited",
              "503 unavailable"),
          route("GET /health/live", "200"),
          route("GET /health/ready", "200", "503 not_ready"),
          route("GET /metrics", "200"),
          route("GET /openapi.yaml", "200"));

  private static String source;
  private static OpenAPIContract contract;

  @BeforeAll
  static void load(Vertx vertx, @TempDir Path dir) throws Exception {
    source = readResource();
    Path copy = dir.resolve(RESOURCE);
    Files.writeString(copy, aliased(source), StandardCharsets.UTF_8);
    contract = await(OpenAPIContract.from(vertx, copy.toString()));
  }

  @Test
  @DisplayName("is an OpenAPI 3.1.0 document that the vertx-openapi validator accepts")
  void isOpenApi31() {
    assertThat(contract.getVersion()).isEqualTo(OpenAPIVersion.V3_1);
    assertThat(contract.getRawContract().getString("openapi")).isEqualTo("3.1.0");
    // Guards the renaming: were an alias already used, translating back would be ambiguous.
    ALIASES.values().forEach(alias -> assertThat(source).doesNotContain(alias));
  }

  @Test
  @DisplayName("passes the OpenAPI 3.1 schema as served, stopping only at unmodelled media types")
  void passesSchemaAsServed(Vertx vertx) throws Exception {
    Path served = Path.of(resourceUri());
    Future<OpenAPIContract> loading = OpenAPIContract.from(vertx, served.toString());
    Throwable failure = await(loading.map(c -> (Throwable) null).otherwise(e -> e));
    // vertx-openapi checks the OpenAPI schema before it models operations, so a failure of the
    // unsupported-feature kind proves the schema check passed; a newer version may accept all.
    if (failure != null) {
      assertThat(failure).isInstanceOf(OpenAPIContractException.class);
      assertThat(((OpenAPIContractException) failure).type())
          .isEqualTo(ContractErrorType.UNSUPPORTED_FEATURE);
      assertThat(failure.getMessage()).contains("unsupported media type");
    }
  }

  @ParameterizedTest(name = "documents {0} with its success and error statuses")
  @MethodSource("routes")
  @DisplayName("documents every route of the contract with its success and error statuses")
  void documentsRoute(Route route) {
    Operation operation = operation(route);
    Map<Integer, Set<String>> documented = new LinkedHashMap<>();
    for (String status : fields(responses(operation))) {
      int code = Integer.parseInt(status);
      Response response = operation.getResponse(code);
      documented.put(code, code >= 400 ? problemCodes(route, code, response) : Set.of());
    }
    assertThat(documented).as("statuses and problem codes of %s", route).isEqualTo(route.statuses);
  }

  @Test
  @DisplayName("documents no route beyond the contract")
  void documentsNoOtherRoute() {
    Set<String> documented =
        contract.operations().stream()
            .map(op -> op.getHttpMethod().name() + " " + op.getOpenAPIPath())
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> expected =
        ROUTES.stream().map(Route::toString).collect(Collectors.toCollection(TreeSet::new));
    assertThat(documented).isEqualTo(expected);
  }

  @Test
  @DisplayName("sends X-Request-Id, nosniff and DENY on every response, no-store and Vary on carts")
  void documentsCommonHeaders() {
    for (Route route : ROUTES) {
      Operation operation = operation(route);
      for (int status : route.statuses.keySet()) {
        Set<String> headers = headerNames(operation.getResponse(status));
        assertThat(headers).as("%s %d", route, status).containsAll(STANDARD_HEADERS);
        if (route.path.startsWith("/v1/cart")) {
          assertThat(headers).as("%s %d", route, status).containsAll(CART_HEADERS);
        }
      }
    }
  }

  @Test
  @DisplayName("sends Retry-After with 429 and problem 503, WWW-Authenticate with 401")
  void documentsRetryAndChallengeHeaders() {
    for (Route route : ROUTES) {
      Operation operation = operation(route);
      for (int status : route.statuses.keySet()) {
        Set<String> headers = headerNames(operation.getResponse(status));
        boolean problem = !route.statuses.get(status).isEmpty();
        if (status == 429 || (status == 503 && problem)) {
          assertThat(headers).as("%s %d", route, status).contains("Retry-After");
        }
        if (status == 401) {
          assertThat(headers).as("%s %d", route, status).contains("WWW-Authenticate");
        }
      }
    }
  }

  @Test
  @DisplayName("answers the cart's ETag on reads, on 304 and on every cart write but checkout")
  void documentsEtags() {
    for (Route route : ROUTES) {
      if (!route.path.startsWith("/v1/cart") || route.path.equals(CHECKOUT)) {
        continue;
      }
      Operation operation = operation(route);
      for (int status : route.statuses.keySet()) {
        if (status < 400) {
          assertThat(headerNames(operation.getResponse(status)))
              .as("%s %d", route, status)
              .contains("ETag");
        }
      }
    }
    // Checkout answers the order, not the cart, and sends no ETag.
    assertThat(headerNames(operation(route("POST " + CHECKOUT)).getResponse(201)))
        .doesNotContain("ETag");
    Operation read = operation(route("GET /v1/cart"));
    assertThat(parameterNames(read, Location.HEADER)).contains("If-None-Match");
    assertThat(read.getResponse(304).getContent()).as("a 304 has no body").isEmpty();
    // A stale read while Redis is down says so, and has no ETag.
    assertThat(headerNames(read.getResponse(200))).contains(CartHandlers.STALE_HEADER);
  }

  @Test
  @DisplayName("issues a guest session on cart writes and clears the guest cookie on merge")
  void documentsSessionHeaders() {
    for (String write :
        List.of(
            "DELETE /v1/cart",
            "POST /v1/cart/items",
            "PUT /v1/cart/items/{sku}",
            "DELETE /v1/cart/items/{sku}")) {
      assertThat(headerNames(operation(route(write)).getResponse(200)))
          .as(write)
          .contains("X-Cart-Session", "Set-Cookie", "Idempotent-Replayed");
    }
    assertThat(headerNames(operation(route("POST /v1/cart/merge")).getResponse(200)))
        .contains("Set-Cookie");
    assertThat(headerNames(operation(route("POST /v1/cart/checkout")).getResponse(201)))
        .contains("Idempotent-Replayed")
        .doesNotContain("Location");
  }

  @Test
  @DisplayName("offers If-Match and Idempotency-Key on every cart write, required on checkout")
  void documentsConditionalAndIdempotentWrites() {
    for (Route route : ROUTES) {
      if (!route.path.startsWith("/v1/cart") || route.method == HttpMethod.GET) {
        continue;
      }
      Operation operation = operation(route);
      assertThat(parameterNames(operation, Location.HEADER))
          .as(route.toString())
          .contains("If-Match", "Idempotency-Key");
      Parameter key = header(operation, "Idempotency-Key");
      assertThat(key.isRequired())
          .as("Idempotency-Key required on %s", route)
          .isEqualTo(route.path.equals(CHECKOUT));
      assertThat(resolve(key.getOpenAPIModel().getJsonObject("schema")).getString("pattern"))
          .as("Idempotency-Key pattern on %s", route)
          .isEqualTo("^[A-Za-z0-9._:-]{1,128}$");
      assertThat(route.statuses.get(412))
          .as("412 of %s", route)
          .isEqualTo(Set.of("version_conflict"));
    }
    assertThat(operation(route("POST " + CHECKOUT)).getOpenAPIModel().getString("description"))
        .contains("If-Match", "412 `version_conflict`");
  }

  @Test
  @DisplayName("answers 409 request_in_progress with Retry-After on every write taking a key")
  void documentsRequestInProgress() {
    Set<String> writes = new TreeSet<>();
    for (Route route : ROUTES) {
      Operation operation = operation(route);
      if (!parameterNames(operation, Location.HEADER).contains("Idempotency-Key")) {
        continue;
      }
      writes.add(route.toString());
      Set<String> codes = route.statuses.getOrDefault(409, Set.of());
      assertThat(codes).as("409 codes of %s", route).contains(IN_PROGRESS);
      Parameter retryAfter = responseHeader(operation.getResponse(409), "Retry-After");
      // Required where request_in_progress is the only code, else sent with that code only.
      assertThat(retryAfter.isRequired())
          .as("Retry-After required on 409 of %s", route)
          .isEqualTo(codes.equals(Set.of(IN_PROGRESS)));
      assertThat(resolve(retryAfter.getOpenAPIModel().getJsonObject("schema")).getValue("const"))
          .as("Retry-After of 409 on %s", route)
          .isEqualTo(1);
    }
    assertThat(writes)
        .containsExactlyInAnyOrder(
            "DELETE /v1/cart",
            "POST /v1/cart/items",
            "PUT /v1/cart/items/{sku}",
            "DELETE /v1/cart/items/{sku}",
            "POST /v1/cart/merge",
            "POST " + CHECKOUT);
    assertThat(contract.getRawContract().getJsonObject("info").getString("description"))
        .contains("| 409 | `request_in_progress` |");
  }

  @Test
  @DisplayName("marks replayed answers, kept refusals included, with Idempotent-Replayed")
  void documentsReplayedRefusals() {
    for (Route route : ROUTES) {
      Operation operation = operation(route);
      if (!parameterNames(operation, Location.HEADER).contains("Idempotency-Key")) {
        continue;
      }
      for (Map.Entry<Integer, Set<String>> entry : route.statuses.entrySet()) {
        int status = entry.getKey();
        Set<String> codes = entry.getValue();
        boolean kept =
            status < 300
                || (status == 422 && codes.contains("validation_failed"))
                || codes.stream().anyMatch(KEPT_REFUSALS::contains);
        if (kept) {
          assertThat(headerNames(operation.getResponse(status)))
              .as("%s %d", route, status)
              .contains("Idempotent-Replayed");
        }
      }
    }
  }

  @Test
  @DisplayName("declares the user JWT, guest header, guest cookie and admin token schemes")
  void declaresSecuritySchemes() {
    SecurityScheme user = contract.securityScheme("userJwt");
    assertThat(user.getType()).isEqualTo("http");
    assertThat(user.getScheme()).isEqualTo("bearer");
    assertThat(user.getBearerFormat()).isEqualTo("JWT");

    SecurityScheme guest = contract.securityScheme("guestSession");
    assertThat(guest.getType()).isEqualTo("apiKey");
    assertThat(guest.getIn()).isEqualTo("header");
    assertThat(guest.getName()).isEqualTo("X-Cart-Session");

    SecurityScheme cookie = contract.securityScheme("guestCookie");
    assertThat(cookie.getType()).isEqualTo("apiKey");
    assertThat(cookie.getIn()).isEqualTo("cookie");
    assertThat(cookie.getName()).isEqualTo("cart_session");

    SecurityScheme admin = contract.securityScheme("adminToken");
    assertThat(admin.getType()).isEqualTo("http");
    assertThat(admin.getScheme()).isEqualTo("bearer");
  }

  @Test
  @DisplayName("reads a cart only with an identity, lets writes start a guest, guards admin")
  void documentsWhoMayCall() {
    Set<Set<String>> anyIdentity =
        Set.of(Set.of("userJwt"), Set.of("guestSession"), Set.of("guestCookie"));
    Set<Set<String>> anyIdentityOrNone = new HashSet<>(anyIdentity);
    anyIdentityOrNone.add(Set.of());

    assertThat(alternatives(route("GET /v1/cart"))).isEqualTo(anyIdentity);
    for (String write :
        List.of(
            "DELETE /v1/cart",
            "POST /v1/cart/items",
            "PUT /v1/cart/items/{sku}",
            "DELETE /v1/cart/items/{sku}",
            "POST /v1/cart/checkout")) {
      assertThat(alternatives(route(write))).as(write).isEqualTo(anyIdentityOrNone);
    }
    // Merge needs the user in every alternative; the guest may also come in the body.
    assertThat(alternatives(route("POST /v1/cart/merge")))
        .isEqualTo(
            Set.of(
                Set.of("userJwt", "guestSession"),
                Set.of("userJwt", "guestCookie"),
                Set.of("userJwt")));
    assertThat(alternatives(route("PUT /v1/admin/skus/{sku}")))
        .isEqualTo(Set.of(Set.of("adminToken")));
    for (String open :
        List.of(
            "GET /v1/skus/{sku}",
            "GET /health/live",
            "GET /health/ready",
            "GET /metrics",
            "GET /openapi.yaml")) {
      assertThat(alternatives(route(open))).as(open).isEmpty();
    }
  }

  @Test
  @DisplayName("describes problems with type, title, status, detail, code and instance")
  void describesProblems() {
    JsonObject problem = schemas().getJsonObject("Problem");
    assertThat(problem.getJsonArray("required").getList())
        .containsExactlyInAnyOrder("type", "title", "status", "detail", "code", "instance");
    assertThat(fields(problem.getJsonObject("properties")))
        .contains("available", "skus", "changes", "errors", "currentVersion", "retryAfterSeconds");
    assertThat(problem.getJsonObject("properties").getJsonObject("code").getJsonArray("enum"))
        .contains(
            "validation_failed",
            "unauthorized",
            "forbidden",
            "not_found",
            "line_not_found",
            "unknown_sku",
            "out_of_stock",
            "price_changed",
            "cart_full",
            "version_conflict",
            "idempotency_key_reused",
            "request_in_progress",
            "payload_too_large",
            "unsupported_media_type",
            "rate_limited",
            "unavailable");
  }

  @Test
  @DisplayName("describes 404 not_found and 405 method_not_allowed for requests no route serves")
  void describesUnroutedRequests() {
    JsonObject responses =
        contract.getRawContract().getJsonObject("components").getJsonObject("responses");
    assertThat(codesOf(problemSchema(responses.getJsonObject("NotFound"))))
        .isEqualTo(Set.of("not_found"));
    JsonObject notAllowed = responses.getJsonObject("MethodNotAllowed");
    assertThat(codesOf(problemSchema(notAllowed))).isEqualTo(Set.of("method_not_allowed"));
    assertThat(fields(notAllowed.getJsonObject("headers"))).contains("Allow");
  }

  @Test
  @DisplayName("describes the cart body's members and the warning and merge result codes")
  void describesCartBody() {
    JsonObject cart = schemas().getJsonObject("Cart");
    assertThat(cart.getJsonArray("required").getList())
        .containsExactlyInAnyOrder(
            "cartId",
            "owner",
            "version",
            "currency",
            "items",
            "totalItems",
            "subtotal",
            "warnings",
            "updatedAt");
    assertThat(schemas().getJsonObject("CartItem").getJsonArray("required").getList())
        .containsExactlyInAnyOrder(
            "sku",
            "quantity",
            "unitPrice",
            "currentPrice",
            "priceChanged",
            "variant",
            "reservation",
            "addedAt",
            "updatedAt");
    assertThat(enumOf("Warning", "code"))
        .containsExactlyInAnyOrder(
            "price_changed",
            "hold_expired",
            "hold_capped",
            "out_of_stock_at_merge",
            "sku_unavailable",
            "stale_read");
    assertThat(enumOf("MergeEntry", "result"))
        .containsExactlyInAnyOrder(
            "added", "kept_user", "took_guest", "summed", "capped", "dropped_cart_full");
  }

  @Test
  @DisplayName("describes the checkout's order, which is also the value of cart.checkouts")
  void describesOrder() {
    JsonObject order = schemas().getJsonObject("Order");
    List<String> members =
        List.of("orderId", "cartId", "owner", "items", "subtotal", "currency", "createdAt");
    assertThat(order.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(members);
    assertThat(fields(order.getJsonObject("properties")))
        .containsExactlyInAnyOrderElementsOf(members);
    JsonObject properties = order.getJsonObject("properties");
    assertThat(resolve(properties.getJsonObject("owner")).getJsonArray("required").getList())
        .containsExactlyInAnyOrder("type", "id");
    JsonObject item = resolve(properties.getJsonObject("items").getJsonObject("items"));
    assertThat(item.getJsonArray("required").getList())
        .containsExactlyInAnyOrder("sku", "quantity", "unitPrice", "variant");
    // The price charged is a decimal string, the Money of the catalog at checkout.
    JsonObject unitPrice = item.getJsonObject("properties").getJsonObject("unitPrice");
    assertThat(resolve(unitPrice.getJsonArray("allOf").getJsonObject(0)).getString("pattern"))
        .isEqualTo(schemas().getJsonObject("Money").getString("pattern"));

    JsonObject created =
        responses(operation(route("POST " + CHECKOUT)))
            .getJsonObject("201")
            .getJsonObject("content")
            .getJsonObject("application/json")
            .getJsonObject("schema");
    assertThat(resolve(created).getJsonArray("required").getList())
        .as("the 201 of a checkout is the Order")
        .containsExactlyInAnyOrderElementsOf(members);
    JsonObject record =
        contract
            .getRawContract()
            .getJsonObject("x-events")
            .getJsonObject("topics")
            .getJsonObject("cart.checkouts")
            .getJsonObject("schema");
    assertThat(resolve(record).getJsonArray("required").getList())
        .as("the cart.checkouts record is the Order")
        .containsExactlyInAnyOrderElementsOf(members);
  }

  @Test
  @DisplayName("gives examples of carts, problems and orders that match their own schemas")
  void examplesMatchSchemas() {
    int checked = 0;
    Set<String> seen = new TreeSet<>();
    for (Operation operation : contract.operations()) {
      List<Map<String, MediaType>> contents = new ArrayList<>();
      if (operation.getRequestBody() != null) {
        contents.add(operation.getRequestBody().getContent());
      }
      for (String status : fields(responses(operation))) {
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
    // The brief asks for examples of a cart, a problem and a checkout at least.
    assertThat(seen).contains("getCart", "addItem", "checkout", "mergeCart", "getSku");
  }

  @Test
  @DisplayName(
      "lists every Kafka topic the gateway writes in x-events: the contract's keyed by cart id,"
          + " catalog.events by SKU")
  void listsEvents() {
    JsonObject topics = contract.getRawContract().getJsonObject("x-events").getJsonObject("topics");
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
  @DisplayName("describes the cart.abandoned and cart.recovered records")
  void describesAbandonmentEvents() {
    JsonObject topics = contract.getRawContract().getJsonObject("x-events").getJsonObject("topics");
    List<String> abandonedMembers =
        List.of("cartId", "owner", "version", "items", "subtotal", "currency", "idleSince");
    JsonObject abandoned = resolve(topics.getJsonObject("cart.abandoned").getJsonObject("schema"));
    assertThat(abandoned.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(abandonedMembers);
    assertThat(fields(abandoned.getJsonObject("properties")))
        .containsExactlyInAnyOrderElementsOf(abandonedMembers);
    JsonObject properties = abandoned.getJsonObject("properties");
    assertThat(resolve(properties.getJsonObject("owner")).getJsonArray("required").getList())
        .containsExactlyInAnyOrder("type", "id");
    JsonObject item = resolve(properties.getJsonObject("items").getJsonObject("items"));
    assertThat(item.getJsonArray("required").getList())
        .containsExactlyInAnyOrder("sku", "quantity", "unitPrice", "variant");

    List<String> recoveredMembers = List.of("cartId", "owner", "version", "recoveredAt");
    JsonObject recovered = resolve(topics.getJsonObject("cart.recovered").getJsonObject("schema"));
    assertThat(recovered.getJsonArray("required").getList())
        .containsExactlyInAnyOrderElementsOf(recoveredMembers);
    assertThat(fields(recovered.getJsonObject("properties")))
        .containsExactlyInAnyOrderElementsOf(recoveredMembers);

    // Records as the sweep and the first change after a report write them.
    JsonObject owner = new JsonObject().put("type", "user").put("id", "alice");
    assertValid(
        abandoned,
        new JsonObject()
            .put("cartId", "u:alice")
            .put("owner", owner)
            .put("version", 7)
            .put(
                "items",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("sku", "SKU-1")
                            .put("quantity", 2)
                            .put("unitPrice", "29.99")
                            .putNull("variant")))
            .put("subtotal", "59.98")
            .put("currency", "USD")
            .put("idleSince", "2026-11-22T10:00:00Z"));
    assertValid(
        recovered,
        new JsonObject()
            .put("cartId", "u:alice")
            .put("owner", owner)
            .put("version", 8)
            .put("recoveredAt", "2026-11-22T12:00:00Z"));

    assertThat(contract.getRawContract().getJsonObject("info").getString("description"))
        .contains("`cart.abandoned`", "idleSince", "`cart.recovered`", "recoveredAt");
  }

  @Test
  @DisplayName("describes the cart.events record exactly as the gateway writes it")
  void describesCartChangeEvents() {
    JsonObject schema =
        resolve(
            contract
                .getRawContract()
                .getJsonObject("x-events")
                .getJsonObject("topics")
                .getJsonObject("cart.events")
                .getJsonObject("schema"));
    CartEvent.Owner owner = new CartEvent.Owner("user", "alice");
    JsonObject held =
        new CartEvent(
                "u:alice",
                owner,
                3,
                1_795_000_000_000L,
                "USD",
                List.of(
                    new CartEvent.Line(
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

  @Test
  @DisplayName("answers 429 with retryAfterSeconds in the body and limits no admin route")
  void documentsRateLimits() {
    for (Route route : ROUTES) {
      if (!route.statuses.containsKey(429)) {
        assertThat(route.path)
            .as("%s has no rate limit", route)
            .matches("/v1/admin/.*|/health/.*|/metrics|/openapi\\.yaml");
        continue;
      }
      JsonObject schema =
          operation(route)
              .getResponse(429)
              .getContent()
              .get(alias(PROBLEM_JSON))
              .getOpenAPIModel()
              .getJsonObject("schema");
      assertThat(requiredOf(schema)).as("429 of %s", route).contains("retryAfterSeconds");
    }
    assertThat(contract.getRawContract().getJsonObject("info").getString("description"))
        .contains("`retryAfterSeconds`", "CART_RATE_LIMIT_READS", "CART_RATE_LIMIT_WRITES");
  }

  @Test
  @DisplayName("describes the merge policies, its warnings, 400 without a guest session and 403")
  void documentsMerge() {
    Operation merge = operation(route("POST /v1/cart/merge"));
    assertThat(merge.getOpenAPIModel().getString("description"))
        .contains(
            "CART_MERGE_POLICY",
            "`max`",
            "`sum`",
            "`prefer-guest`",
            "`out_of_stock_at_merge`",
            "403 `forbidden`");
    String report = schemas().getJsonObject("MergeEntry").getString("description");
    for (Object result : enumOf("MergeEntry", "result")) {
      assertThat(report).as("MergeEntry describes %s", result).contains("`" + result + "`");
    }
    assertThat(schemas().getJsonObject("Warning").getString("description"))
        .contains("`out_of_stock_at_merge`", "`hold_capped`", "CART_HOLD_CAP");
    assertThat(examplesOf(merge.getResponse(400), alias(PROBLEM_JSON)))
        .contains("noGuestSession", "malformedGuestSession");
    assertThat(merge.getResponse(403).getOpenAPIModel().getString("description"))
        .contains("another shopper");
    JsonObject merged =
        merge
            .getResponse(200)
            .getContent()
            .get("application/json")
            .getOpenAPIModel()
            .getJsonObject("examples");
    // References to components/examples arrive resolved when read member by member.
    Set<String> warnings =
        fields(merged).stream()
            .flatMap(
                name ->
                    merged
                        .getJsonObject(name)
                        .getJsonObject("value")
                        .getJsonArray("warnings")
                        .stream())
            .map(warning -> ((JsonObject) warning).getString("code"))
            .collect(Collectors.toSet());
    assertThat(warnings)
        .as("a merge example shows a shortfall of stock")
        .contains("out_of_stock_at_merge");
  }

  static Stream<Route> routes() {
    return ROUTES.stream();
  }

  // ---- helpers ----

  /** One route: method, OpenAPI path, and each documented status with its problem codes. */
  record Route(HttpMethod method, String path, Map<Integer, Set<String>> statuses) {
    @Override
    public String toString() {
      return method.name() + " " + path;
    }
  }

  /** {@code route("POST /v1/cart/items", "200", "404 unknown_sku", ...)}. */
  private static Route route(String methodAndPath, String... statuses) {
    String[] parts = methodAndPath.split(" ", 2);
    Map<Integer, Set<String>> byStatus = new LinkedHashMap<>();
    for (String status : statuses) {
      String[] words = status.split(" ");
      byStatus.put(
          Integer.parseInt(words[0]), Set.copyOf(Arrays.asList(words).subList(1, words.length)));
    }
    return new Route(HttpMethod.valueOf(parts[0]), parts[1], byStatus);
  }

  private static Operation operation(Route route) {
    return contract.operations().stream()
        .filter(op -> op.getHttpMethod().equals(route.method))
        .filter(op -> op.getOpenAPIPath().equals(route.path))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no operation for " + route));
  }

  /**
   * The keys of a resolved object without the annotations (such as {@code __absolute_uri__}) that
   * the resolver adds next to every former reference.
   */
  private static Set<String> fields(JsonObject object) {
    return object.fieldNames().stream()
        .filter(JsonSchema.EXCLUDE_ANNOTATIONS)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static JsonObject responses(Operation operation) {
    return operation.getOpenAPIModel().getJsonObject("responses");
  }

  /**
   * The problem codes an error response may carry, or none when it is not a problem document (as
   * the readiness report is). A problem must be the only media type and fix its own status.
   */
  private static Set<String> problemCodes(Route route, int status, Response response) {
    Map<String, MediaType> content = response.getContent();
    if (!content.containsKey(alias(PROBLEM_JSON))) {
      return Set.of();
    }
    assertThat(content.keySet())
        .as("media types of %s %d", route, status)
        .containsExactly(alias(PROBLEM_JSON));
    JsonObject schema = content.get(alias(PROBLEM_JSON)).getOpenAPIModel().getJsonObject("schema");
    assertThat(constOf(schema, "status"))
        .as("status member of %s %d", route, status)
        .isEqualTo(status);
    Set<String> codes = codesOf(schema);
    return codes == null ? Set.of() : codes;
  }

  private static JsonObject problemSchema(JsonObject response) {
    return response
        .getJsonObject("content")
        .getJsonObject(alias(PROBLEM_JSON))
        .getJsonObject("schema");
  }

  /**
   * The values a schema allows for the member {@code code}: its enum, intersected through {@code
   * allOf}, so that a response narrowing the general problem is read as the narrowing. Null when
   * the schema does not constrain it.
   */
  private static Set<String> codesOf(JsonObject schema) {
    Set<String> codes = null;
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null && properties.getJsonObject("code") != null) {
      JsonArray values = properties.getJsonObject("code").getJsonArray("enum");
      if (values != null) {
        codes = values.stream().map(String::valueOf).collect(Collectors.toSet());
      }
    }
    JsonArray allOf = schema.getJsonArray("allOf");
    if (allOf != null) {
      for (Object part : allOf) {
        Set<String> narrowed = codesOf((JsonObject) part);
        if (narrowed != null) {
          if (codes == null) {
            codes = new HashSet<>(narrowed);
          } else {
            codes.retainAll(narrowed);
          }
        }
      }
    }
    return codes;
  }

  /** The {@code const} of a member, looked for in the schema and through its {@code allOf}. */
  private static Object constOf(JsonObject schema, String member) {
    JsonObject properties = schema.getJsonObject("properties");
    if (properties != null && properties.getJsonObject(member) != null) {
      Object value = properties.getJsonObject(member).getValue("const");
      if (value != null) {
        return value;
      }
    }
    JsonArray allOf = schema.getJsonArray("allOf");
    if (allOf != null) {
      for (Object part : allOf) {
        Object value = constOf((JsonObject) part, member);
        if (value != null) {
          return value;
        }
      }
    }
    return null;
  }

  /** The members a schema requires, gathered through its {@code allOf}. */
  private static Set<String> requiredOf(JsonObject schema) {
    Set<String> required = new HashSet<>();
    JsonArray own = schema.getJsonArray("required");
    if (own != null) {
      own.forEach(name -> required.add(String.valueOf(name)));
    }
    JsonArray allOf = schema.getJsonArray("allOf");
    if (allOf != null) {
      for (Object part : allOf) {
        required.addAll(requiredOf((JsonObject) part));
      }
    }
    return required;
  }

  private static Set<String> examplesOf(Response response, String mediaType) {
    JsonObject examples =
        response.getContent().get(mediaType).getOpenAPIModel().getJsonObject("examples");
    return examples == null ? Set.of() : fields(examples);
  }

  private static void assertValid(JsonObject schema, JsonObject value) {
    OutputUnit result =
        contract.getSchemaRepository().validator(JsonSchema.of(schema)).validate(value);
    if (!Boolean.TRUE.equals(result.getValid())) {
      fail("%s does not match its schema: %s", value.encode(), result.toJson());
    }
  }

  private static Set<String> headerNames(Response response) {
    return response.getHeaders().stream().map(Parameter::getName).collect(Collectors.toSet());
  }

  private static Set<String> parameterNames(Operation operation, Location in) {
    return operation.getParameters().stream()
        .filter(p -> p.getIn() == in)
        .map(Parameter::getName)
        .collect(Collectors.toSet());
  }

  private static Parameter responseHeader(Response response, String name) {
    return response.getHeaders().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no response header " + name));
  }

  /** A schema itself, or the component schema it references when it is a bare reference. */
  private static JsonObject resolve(JsonObject schema) {
    String ref = schema.getString("$ref");
    String prefix = "#/components/schemas/";
    if (ref != null && ref.startsWith(prefix)) {
      return schemas().getJsonObject(ref.substring(prefix.length()));
    }
    return schema;
  }

  private static Parameter header(Operation operation, String name) {
    return operation.getParameters().stream()
        .filter(p -> p.getIn() == Location.HEADER && p.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** The operation's security alternatives, each as the set of schemes it combines. */
  private static Set<Set<String>> alternatives(Route route) {
    return operation(route).getSecurityRequirements().stream()
        .map(SecurityRequirement::getNames)
        .map(Set::copyOf)
        .collect(Collectors.toSet());
  }

  private static JsonObject schemas() {
    return contract.getRawContract().getJsonObject("components").getJsonObject("schemas");
  }

  private static List<Object> enumOf(String schema, String member) {
    return schemas()
        .getJsonObject(schema)
        .getJsonObject("properties")
        .getJsonObject(member)
        .getJsonArray("enum")
        .getList();
  }

  private static String alias(String mediaType) {
    return ALIASES.get(mediaType);
  }

  /** The document with the unmodelled media-type keys renamed, and nothing else changed. */
  private static String aliased(String document) {
    Pattern key = Pattern.compile("(?m)^(\\s+)(application/problem\\+json|application/yaml):\\s*$");
    Matcher matcher = key.matcher(document);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(
          out, Matcher.quoteReplacement(matcher.group(1) + ALIASES.get(matcher.group(2)) + ":"));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String readResource() throws IOException {
    try (InputStream in =
        OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      assertThat(in).as("classpath resource %s", RESOURCE).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static java.net.URI resourceUri() throws URISyntaxException {
    return OpenApiDocumentTest.class.getClassLoader().getResource(RESOURCE).toURI();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
