package com.cartgateway.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * With {@code CART_OTLP_ENDPOINT} set, the gateway exports its spans to an OTLP/HTTP receiver (a
 * small one in this test) with the ids it logs and answers.
 */
@DisplayName("span export over OTLP")
class TraceExportIT {
  // The batch processor sends every 5 s; a loaded machine may take longer.
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final HexFormat HEX = HexFormat.of();

  /** Every span the receiver has decoded, with its resource; its monitor signals each export. */
  private static final List<Exported> RECEIVED = new ArrayList<>();

  private static Vertx vertx;
  private static Gateway gateway;

  private record Exported(Resource resource, Span span) {
    String traceId() {
      return HEX.formatHex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return HEX.formatHex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return HEX.formatHex(span.getParentSpanId().toByteArray());
    }

    String attribute(String key) {
      return value(span.getAttributesList(), key);
    }

    String resourceAttribute(String key) {
      return value(resource.getAttributesList(), key);
    }

    private static String value(List<KeyValue> attributes, String key) {
      return attributes.stream()
          .filter(kv -> kv.getKey().equals(key))
          .map(KeyValue::getValue)
          .map(
              value ->
                  value.getValueCase() == AnyValue.ValueCase.INT_VALUE
                      ? String.valueOf(value.getIntValue())
                      : value.getStringValue())
          .findFirst()
          .orElse(null);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer receiver =
        vertx
            .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
            .requestHandler(TraceExportIT::receive)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    // A worker of its own group too, which stores every event again (conditional no-ops) and so
    // exports the consumer spans of the records this test causes.
    gateway =
        Gateway.start(
            Map.of(
                "CART_ROLES", "http,worker",
                "CART_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.actualPort() + "/v1/traces",
                "CART_OTLP_SERVICE_NAME", "cart-under-test"),
            new JsonObject()
                .put("worker", new JsonObject().put("groupId", Gateway.unique("traced-writer"))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "a traced write exports its server span with the ids it answers, and the worker's span of"
          + " its DynamoDB write as its child")
  void tracedWrite() throws InterruptedException {
    String traceId = randomHex(16);
    String caller = randomHex(8);
    String sku = Gateway.unique("SKU");
    gateway.putSku(sku, "1.00", "USD", 10);

    HttpResponse<String> add =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Authorization", "Bearer " + gateway.userToken(Gateway.unique("traced")))
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + caller + "-01")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("sku", sku).put("quantity", 1).encode()))
                .build());

    assertThat(add.statusCode()).isEqualTo(200);
    String answered = add.headers().firstValue("traceparent").orElseThrow();
    String spanId = answered.split("-")[2];
    Exported server =
        await(
            "server span " + spanId, e -> e.traceId().equals(traceId) && e.spanId().equals(spanId));
    assertThat(server.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(server.parentSpanId()).isEqualTo(caller);
    assertThat(server.span().getName()).isEqualTo("POST /v1/cart/items");
    assertThat(server.attribute("http.request.method")).isEqualTo("POST");
    assertThat(server.attribute("http.route")).isEqualTo("/v1/cart/items");
    assertThat(server.attribute("http.response.status_code")).isEqualTo("200");
    assertThat(server.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
    assertThat(server.resourceAttribute("service.name")).isEqualTo("cart-under-test");
    assertThat(server.resourceAttribute("cart.roles")).isEqualTo("http,worker");

    Exported write =
        await(
            "worker span under " + spanId,
            e -> e.traceId().equals(traceId) && e.parentSpanId().equals(spanId));
    assertThat(write.span().getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CONSUMER);
    assertThat(write.span().getName()).isEqualTo("process cart.events");
    assertThat(write.attribute("messaging.destination.name")).isEqualTo("cart.events");
  }

  @Test
  @DisplayName("a request no route matches exports a span named by its method alone, with no route")
  void unmatched() throws InterruptedException {
    String traceId = randomHex(16);
    // A path the contract does not have, on purpose.
    HttpResponse<String> missing =
        gateway.sendOffContract(
            gateway
                .request("/v1/" + Gateway.unique("nothing"))
                .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01")
                .GET()
                .build());

    assertThat(missing.statusCode()).isEqualTo(404);
    Exported server = await("span of trace " + traceId, e -> e.traceId().equals(traceId));
    assertThat(server.span().getName()).isEqualTo("GET");
    assertThat(server.attribute("http.route")).isNull();
    assertThat(server.attribute("http.response.status_code")).isEqualTo("404");
  }

  @Test
  @DisplayName("an invented method is exported as _OTHER, so clients cannot multiply span names")
  void inventedMethod() throws InterruptedException {
    String traceId = randomHex(16);
    gateway.sendOffContract(
        gateway
            .request("/v1/cart")
            .header("traceparent", "00-" + traceId + "-" + randomHex(8) + "-01")
            .method("INVENTED", java.net.http.HttpRequest.BodyPublishers.noBody())
            .build());

    Exported server = await("span of trace " + traceId, e -> e.traceId().equals(traceId));
    assertThat(server.span().getName()).isEqualTo("_OTHER");
    assertThat(server.attribute("http.request.method")).isEqualTo("_OTHER");
  }

  private static void receive(HttpServerRequest request) {
    if (request.method() != HttpMethod.POST || !request.path().equals("/v1/traces")) {
      request.response().setStatusCode(404).end();
      return;
    }
    request
        .body()
        .onSuccess(
            body -> {
              List<Exported> spans = new ArrayList<>();
              try {
                for (ResourceSpans resource :
                    ExportTraceServiceRequest.parseFrom(body.getBytes()).getResourceSpansList()) {
                  for (ScopeSpans scope : resource.getScopeSpansList()) {
                    scope
                        .getSpansList()
                        .forEach(s -> spans.add(new Exported(resource.getResource(), s)));
                  }
                }
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                request.response().setStatusCode(400).end();
                return;
              }
              synchronized (RECEIVED) {
                RECEIVED.addAll(spans);
                RECEIVED.notifyAll();
              }
              request
                  .response()
                  .putHeader("Content-Type", "application/x-protobuf")
                  .end(
                      Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
            });
  }

  /** The first span received that matches, waiting for further exports until {@link #WAIT}. */
  private static Exported await(String what, Predicate<Exported> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    synchronized (RECEIVED) {
      while (true) {
        for (Exported exported : RECEIVED) {
          if (wanted.test(exported)) {
            return exported;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no " + what + " exported within " + WAIT);
        }
        TimeUnit.NANOSECONDS.timedWait(RECEIVED, left);
      }
    }
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    return HEX.formatHex(random);
  }
}
