package com.cartgateway.bench;

import com.cartgateway.store.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A bare Vert.x program doing only the unavoidable work of one hot path, to measure the gateway
 * against in the same run. Each kind is one route on its own port, on a vertx-web {@link Router} as
 * the gateway's routes are:
 *
 * <ul>
 *   <li>{@link Kind#STATIC}: {@code GET /} answers fixed bytes, the size of a gateway cart body;
 *   <li>{@link Kind#HGETALL}: {@code GET /<cartId>} answers the JSON of one {@code HGETALL} of the
 *       cart's hash (the gateway's own cart, so the same fields);
 *   <li>{@link Kind#WRITE}: {@code POST /<cartId>} runs one Lua script on one hash, sends one
 *       record with the gateway's producer ({@code acks=all}, idempotent) and answers once the
 *       broker acknowledged it.
 * </ul>
 */
public final class ReferenceVerticle extends VerticleBase {
  /** The hot path a reference stands for. */
  public enum Kind {
    STATIC,
    HGETALL,
    WRITE
  }

  /** The topic of the write reference's records. */
  public static final String TOPIC = "bench.writes";

  // One script on one hash: a line's quantity and the cart's version, as the add script changes.
  private static final String SCRIPT =
      "redis.call('HINCRBY', KEYS[1], ARGV[1], 1) return redis.call('HINCRBY', KEYS[1], 'v', 1)";

  private final Kind kind;
  private final int port;
  private final String redisUrl;
  private final int redisPoolSize;
  private final Buffer staticBody;
  private final Producer<String, String> producer;
  private Redis redis;
  private String sha;

  /**
   * @param kind the path it stands for
   * @param port where it listens
   * @param redisUrl the Redis the gateway uses (HGETALL, WRITE)
   * @param redisPoolSize the gateway's Redis pool size, so both wait on the same connections
   * @param staticBody what STATIC answers
   * @param producer the process's producer (WRITE)
   */
  public ReferenceVerticle(
      Kind kind,
      int port,
      String redisUrl,
      int redisPoolSize,
      Buffer staticBody,
      Producer<String, String> producer) {
    this.kind = kind;
    this.port = port;
    this.redisUrl = redisUrl;
    this.redisPoolSize = redisPoolSize;
    this.staticBody = staticBody;
    this.producer = producer;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    Future<?> ready = Future.succeededFuture();
    if (kind != Kind.STATIC) {
      redis =
          Redis.createClient(
              vertx,
              new RedisOptions()
                  .setConnectionString(redisUrl)
                  .setMaxPoolSize(redisPoolSize)
                  .setMaxPoolWaiting(4096)
                  .setMaxWaitingHandlers(4096)
                  .setPreferredProtocolVersion(ProtocolVersion.RESP2));
    }
    switch (kind) {
      case STATIC ->
          router
              .get("/")
              .handler(
                  ctx ->
                      ctx.response().putHeader("Content-Type", "application/json").end(staticBody));
      case HGETALL ->
          router
              .get("/:cart")
              .handler(
                  ctx ->
                      redis
                          .send(
                              Request.cmd(Command.HGETALL)
                                  .arg(RedisKeys.cart(ctx.pathParam("cart"))))
                          .onSuccess(
                              hash ->
                                  ctx.response()
                                      .putHeader("Content-Type", "application/json")
                                      .end(json(hash).toBuffer()))
                          .onFailure(ctx::fail));
      case WRITE -> {
        ready =
            redis
                .send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT))
                .onSuccess(loaded -> sha = loaded.toString());
        router.post("/:cart").handler(this::write);
      }
    }
    return ready.compose(
        loaded ->
            vertx
                .createHttpServer()
                .requestHandler(router)
                .listen(port)
                .map(HttpServer::actualPort));
  }

  @Override
  public Future<?> stop() {
    return redis == null ? Future.succeededFuture() : redis.close();
  }

  private void write(io.vertx.ext.web.RoutingContext ctx) {
    String cart = ctx.pathParam("cart");
    io.vertx.core.Context context = vertx.getOrCreateContext();
    ctx.request()
        .body()
        .compose(
            body ->
                redis.send(
                    Request.cmd(Command.EVALSHA)
                        .arg(sha)
                        .arg(1)
                        .arg(RedisKeys.cart("bench-ref:" + cart))
                        .arg(new JsonObject(body).getString("sku"))))
        .onSuccess(
            version ->
                producer.send(
                    new ProducerRecord<>(
                        TOPIC,
                        cart,
                        new JsonObject().put("cart", cart).put("v", version.toLong()).encode()),
                    (metadata, error) ->
                        context.runOnContext(
                            acked -> {
                              if (error == null) {
                                ctx.response()
                                    .putHeader("Content-Type", "application/json")
                                    .end(
                                        new JsonObject()
                                            .put("version", version.toLong())
                                            .toBuffer());
                              } else {
                                ctx.fail(error);
                              }
                            })))
        .onFailure(ctx::fail);
  }

  /** The hash as JSON; RESP2 replies are a flat list of fields and values, as the gateway's. */
  private static JsonObject json(Response flat) {
    JsonObject json = new JsonObject();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      json.put(flat.get(i).toString(), flat.get(i + 1).toString());
    }
    return json;
  }
}
