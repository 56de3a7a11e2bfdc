package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Contract;
import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Random and mutated requests to every operation of {@code openapi.yaml}: valid requests built from
 * each operation's body schema, then broken in one place (a field dropped, retyped or made hostile,
 * a body that is not JSON or not UTF-8, a wrong media type, a made-up identity, version, key or
 * SKU, another method). Whatever arrives: no 5xx, every refusal is problem+json whose status is the
 * answer's, and a refusal changes neither the shopper's cart nor any SKU.
 *
 * <p>Bounded: {@code -Dfuzz.requests} requests (300 by default) from seed {@code -Dfuzz.seed} (a
 * new one each run, printed with every failure, so that a failure replays).
 */
@DisplayName("fuzzing the HTTP surface from the OpenAPI document")
class HttpFuzzIT {
  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 300);
  private static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());
  private static final List<String> METHODS = List.of("get", "put", "post", "delete");
  private static final List<String> ODD_METHODS =
      List.of("PATCH", "OPTIONS", "TRACE", "FOO", "HEAD");

  private static final Gateway gateway = Gateway.get();
  private static final String SHOPPER = Gateway.unique("fuzz-shopper");
  private static final List<String> SKUS = new ArrayList<>();
  private static String guestSession;

  /** One operation of the document: its method, path template and JSON body's properties. */
  private record Operation(String method, String path, Map<String, Object> properties) {}

  @BeforeAll
  static void catalogAndCarts() {
    for (int i = 0; i < 3; i++) {
      String sku = Gateway.unique("FUZZ");
      gateway.putSku(sku, "9.99", "USD", 50);
      SKUS.add(sku);
    }
    assertThat(gateway.add(SHOPPER, SKUS.get(0), 2).statusCode()).isEqualTo(200);
    HttpResponse<String> minted =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("sku", SKUS.get(1)).put("quantity", 1).encode()))
                .build());
    assertThat(minted.statusCode()).isEqualTo(200);
    guestSession = minted.headers().firstValue("X-Cart-Session").orElseThrow();
  }

  @Test
  @DisplayName("no 5xx, every refusal problem+json, and a refusal changes no cart or SKU")
  void fuzz() throws Exception {
    Random random = new Random(SEED);
    List<Operation> operations = operations();
    JsonObject state = state();
    for (int i = 0; i < REQUESTS; i++) {
      Operation operation = operations.get(random.nextInt(operations.size()));
      HttpRequest request = mutated(operation, random);
      HttpResponse<String> response = gateway.sendOffContract(request);
      String call =
          "seed " + SEED + ", request " + i + ": " + request.method() + " " + request.uri();
      assertThat(response.statusCode()).as(call + " -> " + response.body()).isLessThan(500);
      if (response.statusCode() >= 400) {
        assertThat(response.headers().firstValue("Content-Type"))
            .as(call)
            .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        if (!"HEAD".equals(request.method())) {
          JsonObject problem = new JsonObject(response.body());
          assertThat(problem.getInteger("status")).as(call).isEqualTo(response.statusCode());
          assertThat(problem.getString("type")).as(call).isNotBlank();
          assertThat(problem.getString("title")).as(call).isNotBlank();
        }
        assertThat(state()).as(call + " was refused, yet changed state").isEqualTo(state);
      } else {
        state = state();
      }
    }
  }

  /** Every operation of the document, with the properties of its JSON body (none without one). */
  @SuppressWarnings("unchecked")
  private static List<Operation> operations() throws Exception {
    Map<String, Object> document = new Yaml().load(Contract.source());
    Map<String, Object> schemas =
        (Map<String, Object>) ((Map<String, Object>) document.get("components")).get("schemas");
    List<Operation> operations = new ArrayList<>();
    Map<String, Object> paths = (Map<String, Object>) document.get("paths");
    paths.forEach(
        (path, item) ->
            ((Map<String, Object>) item)
                .forEach(
                    (method, spec) -> {
                      if (!METHODS.contains(method)) {
                        return;
                      }
                      Map<String, Object> properties = Map.of();
                      Object body = ((Map<String, Object>) spec).get("requestBody");
                      if (body != null) {
                        Map<String, Object> schema =
                            (Map<String, Object>)
                                ((Map<String, Object>)
                                        ((Map<String, Object>)
                                                ((Map<String, Object>) body).get("content"))
                                            .get("application/json"))
                                    .get("schema");
                        properties = properties(schema, schemas);
                      }
                      operations.add(new Operation(method.toUpperCase(), path, properties));
                    }));
    return operations;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(
      Map<String, Object> schema, Map<String, Object> schemas) {
    Object ref = schema.get("$ref");
    Map<String, Object> resolved =
        ref == null
            ? schema
            : (Map<String, Object>)
                schemas.get(ref.toString().substring(ref.toString().lastIndexOf('/') + 1));
    Object properties = resolved.get("properties");
    return properties == null ? Map.of() : (Map<String, Object>) properties;
  }

  /** A valid request for the operation, broken in at most one place. */
  private static HttpRequest mutated(Operation operation, Random random) {
    String sku = SKUS.get(random.nextInt(SKUS.size()));
    if (random.nextInt(8) == 0) {
      sku = pick(random, "%00", "a%2Fb", "x".repeat(100), "%E2%82", "..", "%7Bx%7D", "a%20b", "");
    }
    String path = operation.path().replace("{sku}", sku);
    if (random.nextInt(20) == 0) {
      path = path + pick(random, "/", "/extra", "?a=1", "//");
    }
    byte[] body = body(operation, random);
    String method = random.nextInt(12) == 0 ? pick(random, ODD_METHODS) : operation.method();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gateway.url() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null || method.equals("HEAD")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header(
          "Content-Type",
          random.nextInt(12) == 0
              ? pick(random, "text/plain", "application/json; charset=latin1", "application/xml")
              : "application/json");
    }
    identify(operation, request, random);
    if (random.nextInt(4) == 0) {
      request.header(
          "If-Match",
          pick(random, "\"0\"", "\"1\"", "\"999999\"", "*", "junk", "\"-1\"", "W/\"1\""));
    }
    if (random.nextInt(3) == 0) {
      request.header(
          "Idempotency-Key",
          pick(random, UUID.randomUUID().toString(), "k".repeat(300), "a b", "", "%%%"));
    }
    return request.build();
  }

  private static void identify(Operation operation, HttpRequest.Builder request, Random random) {
    if (operation.path().startsWith("/v1/admin")) {
      request.header(
          "Authorization",
          "Bearer " + (random.nextInt(3) == 0 ? "wrong-token" : Gateway.ADMIN_TOKEN));
      return;
    }
    switch (random.nextInt(6)) {
      case 0 -> request.header("Authorization", "Bearer " + gateway.userToken(SHOPPER));
      case 1 -> request.header("X-Cart-Session", guestSession);
      case 2 -> {
        request.header("Authorization", "Bearer " + gateway.userToken(SHOPPER));
        request.header("X-Cart-Session", guestSession);
      }
      case 3 ->
          request.header(
              "Authorization",
              pick(
                  random,
                  "Bearer x.y.z",
                  "Bearer ",
                  "Basic Zm9vOmJhcg==",
                  "Bearer " + "a".repeat(9000)));
      case 4 ->
          request.header(
              "X-Cart-Session",
              pick(random, "short", "A".repeat(22), "bad session!", "%00", "A".repeat(200)));
      default -> {
        // no identity at all
      }
    }
  }

  /** The operation's body: valid, broken in one field, or not a valid JSON text at all. */
  private static byte[] body(Operation operation, Random random) {
    if (operation.properties().isEmpty() && !operation.method().equals("POST")) {
      return random.nextInt(10) == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : null;
    }
    JsonObject valid = new JsonObject();
    operation.properties().keySet().forEach(name -> valid.put(name, validValue(name, random)));
    switch (random.nextInt(7)) {
      case 0 -> {
        return valid.toBuffer().getBytes();
      }
      case 1 -> {
        if (!valid.isEmpty()) {
          valid.remove(pick(random, new ArrayList<>(valid.fieldNames())));
        }
        return valid.toBuffer().getBytes();
      }
      case 2 -> {
        if (!valid.isEmpty()) {
          String raw = hostileRaw(random);
          String field = pick(random, new ArrayList<>(valid.fieldNames()));
          valid.put(field, "\u0000PLACEHOLDER\u0000");
          return valid
              .encode()
              .replace("\"\\u0000PLACEHOLDER\\u0000\"", raw)
              .getBytes(StandardCharsets.UTF_8);
        }
        return valid.toBuffer().getBytes();
      }
      case 3 -> {
        valid.put(pick(random, "extra", "__proto__", "sku", "quantity"), hostileValue(random));
        return valid.toBuffer().getBytes();
      }
      case 4 -> {
        return notJson(valid, random);
      }
      default -> {
        return valid.toBuffer().getBytes();
      }
    }
  }

  private static Object validValue(String field, Random random) {
    return switch (field) {
      case "sku" -> SKUS.get(random.nextInt(SKUS.size()));
      case "quantity" -> 1 + random.nextInt(5);
      case "variant" -> new JsonObject().put("size", pick(random, "S", "M", "L"));
      case "guestSession" -> guestSession;
      case "acceptPriceChanges" -> random.nextBoolean();
      case "price" -> pick(random, "9.99", "12.50", "1.00");
      case "currency" -> "USD";
      case "stock" -> 40 + random.nextInt(20);
      default -> "x";
    };
  }

  /** A JSON text for a field's value, some of it beyond what a parser maps to Java values. */
  private static String hostileRaw(Random random) {
    return pick(
        random,
        "null",
        "true",
        "-1",
        "0",
        "1.5",
        "1e400",
        "-1e400",
        "9223372036854775808",
        "99999999999999999999999999",
        "\"\"",
        "\"" + "a".repeat(5000) + "\"",
        "\"\\ud800\"",
        "\"\\u0000\"",
        "{}",
        "[]",
        "[1,2,3]",
        "\"💥\"",
        "{\"a\":".repeat(200) + "1" + "}".repeat(200));
  }

  private static Object hostileValue(Random random) {
    return pick(
        random,
        List.of(
            "",
            -1,
            Long.MAX_VALUE,
            new JsonArray().add(1),
            new JsonObject().put("nested", new JsonObject()),
            "a".repeat(2000),
            true));
  }

  private static byte[] notJson(JsonObject valid, Random random) {
    String text = valid.encode();
    return switch (random.nextInt(9)) {
      case 0 -> "{".getBytes(StandardCharsets.UTF_8);
      case 1 -> (text + " " + text).getBytes(StandardCharsets.UTF_8);
      case 2 -> ("/* comment */" + text).getBytes(StandardCharsets.UTF_8);
      case 3 -> ("\uFEFF" + text).getBytes(StandardCharsets.UTF_8);
      case 4 -> text.getBytes(StandardCharsets.UTF_16);
      case 5 -> new byte[] {'{', '"', 'a', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};
      case 6 ->
          ("{\"quantity\":1,\"quantity\":2," + text.substring(1)).getBytes(StandardCharsets.UTF_8);
      case 7 -> " ".repeat(20_000).getBytes(StandardCharsets.UTF_8);
      default -> "[1,2".getBytes(StandardCharsets.UTF_8);
    };
  }

  /** The shopper's cart and every SKU's counters, as the gateway answers them. */
  private static JsonObject state() {
    JsonObject cart = gateway.cart(SHOPPER);
    JsonObject state =
        new JsonObject()
            .put("version", cart.getLong("version"))
            .put("items", cart.getJsonArray("items"));
    for (String sku : SKUS) {
      state.put(sku, gateway.sku(sku));
    }
    return state;
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... values) {
    return values[random.nextInt(values.length)];
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }
}
