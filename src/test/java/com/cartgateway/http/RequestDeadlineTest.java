package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.deadline.Deadlines;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the request deadline")
class RequestDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(300);

  private final Vertx vertx = Vertx.vertx();
  private final Context loop = vertx.getOrCreateContext();
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger failures = new AtomicInteger();
  private HttpServer server;
  private Deadlines deadlines;

  @BeforeEach
  void start() throws Exception {
    Promise<HttpServer> started = Promise.promise();
    loop.runOnContext(
        go -> {
          Router router = Router.router(vertx);
          deadlines = Deadlines.ofCurrentContext(vertx, DEADLINE);
          RequestDeadline deadline = new RequestDeadline(deadlines);
          router
              .route()
              .failureHandler(
                  ctx -> {
                    failures.incrementAndGet();
                    Problems.handle(ctx);
                  });
          router.get("/never").handler(deadline).handler(ctx -> {});
          router.get("/at-once").handler(deadline).handler(ctx -> ctx.response().end("ok"));
          vertx.createHttpServer().requestHandler(router).listen(0).onComplete(started);
        });
    server = started.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    vertx.close();
  }

  @Test
  @DisplayName("a request that never answers gets 503 problem+json with Retry-After, not a hang")
  void unansweredGets503() throws Exception {
    HttpResponse<String> response = get("/never");
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("unavailable");
  }

  @Test
  @DisplayName("an answered request's deadline is gone at once and never fires")
  void answeredRequestsAreLeftAlone() throws Exception {
    assertThat(get("/at-once").statusCode()).isEqualTo(200);
    assertThat(pendingOnLoop()).as("deadlines kept after the answer").isZero();
    // Fires after the answered request's deadline would have.
    assertThat(get("/never").statusCode()).isEqualTo(503);
    assertThat(failures).as("failures handled: only the unanswered request's").hasValue(1);
  }

  private int pendingOnLoop() throws Exception {
    Promise<Integer> pending = Promise.promise();
    loop.runOnContext(go -> pending.complete(deadlines.pending()));
    return pending.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
