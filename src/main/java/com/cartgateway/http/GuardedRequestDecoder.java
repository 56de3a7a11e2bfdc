package com.cartgateway.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The request decoder of one HTTP/1.1 connection: Vert.x's, with three guards it lacks (and, on a
 * connection past the cap, a close after the first request).
 *
 * <ul>
 *   <li>Framing that a proxy in front may read otherwise ({@link Framing#ambiguous}): Netty drops
 *       the {@code Content-Length} of a chunked request and goes on, so the bytes after the body
 *       would run as the next request. Here the request keeps both headers, for the router to
 *       refuse it, and is marked {@code Connection: close}, so that Vert.x serves nothing after it
 *       on this connection (RFC 9112, 6.1).
 *   <li>A request head that does not complete within the header timeout of its first byte closes
 *       the connection: a client that stalls or trickles its headers holds no socket for long.
 *   <li>A body whose chunked framing is broken fails the request with {@link MalformedBody}, which
 *       the router answers with a 400 before the connection closes.
 * </ul>
 */
final class GuardedRequestDecoder extends VertxHttpRequestDecoder {
  /** The name Vert.x gives the decoder in the pipeline. */
  static final String NAME = "httpDecoder";

  private final long headerTimeoutNanos;
  private final boolean oneRequest;
  private ScheduledFuture<?> headDeadline;
  private boolean betweenRequests = true;

  /**
   * @param options the server's options
   * @param headerTimeout how long a request head may take from its first byte
   * @param oneRequest whether the connection closes after its first request
   */
  GuardedRequestDecoder(HttpServerOptions options, Duration headerTimeout, boolean oneRequest) {
    super(options);
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.oneRequest = oneRequest;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
      throws Exception {
    if (betweenRequests && headDeadline == null && buffer.isReadable()) {
      headDeadline =
          ctx.executor().schedule(() -> ctx.close(), headerTimeoutNanos, TimeUnit.NANOSECONDS);
    }
    int before = out.size();
    super.decode(ctx, buffer, out);
    for (int i = before; i < out.size(); i++) {
      Object message = out.get(i);
      if (message instanceof HttpRequest) {
        betweenRequests = false;
        cancelHeadDeadline();
      }
      if (message instanceof HttpContent content
          && !(message instanceof HttpRequest)
          && !content.decoderResult().isSuccess()) {
        content.setDecoderResult(
            DecoderResult.failure(new MalformedBody(content.decoderResult().cause())));
      }
      if (message instanceof LastHttpContent) {
        betweenRequests = true;
      }
    }
  }

  /**
   * Called once a request's headers are read and before its body is framed: the one place where
   * both framing headers are still there to see.
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    if (oneRequest
        || Framing.ambiguous(
            message.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING),
            message.headers().contains(HttpHeaderNames.CONTENT_LENGTH),
            message.protocolVersion() == HttpVersion.HTTP_1_1)) {
      HttpUtil.setKeepAlive(message, false);
    }
    return super.isContentAlwaysEmpty(message);
  }

  /** Reads the body as chunked, as Netty does, but leaves the Content-Length for the router. */
  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    List<String> lengths = message.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    super.handleTransferEncodingChunkedWithContentLength(message);
    message.headers().set(HttpHeaderNames.CONTENT_LENGTH, lengths);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelHeadDeadline();
    super.channelInactive(ctx);
  }

  private void cancelHeadDeadline() {
    if (headDeadline != null) {
      headDeadline.cancel(false);
      headDeadline = null;
    }
  }

  /** A request body whose framing could not be decoded. */
  static final class MalformedBody extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedBody(Throwable cause) {
      super("the chunked body is malformed", cause);
    }
  }
}
