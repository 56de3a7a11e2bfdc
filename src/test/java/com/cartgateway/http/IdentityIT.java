package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Gateway;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("identity: user tokens, guest sessions and the admin token")
class IdentityIT {
  private final Gateway gateway = Gateway.get();

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Signs header.payload by hand, so tests can make tokens the gateway must refuse. */
  private static String token(String header, JsonObject claims, String secret, String alg) {
    String signingInput = b64(header) + "." + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance(alg);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), alg));
      return signingInput
          + "."
          + Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject claims(long expOffsetSeconds) {
    return new JsonObject()
        .put("sub", "mallory")
        .put("exp", Instant.now().getEpochSecond() + expOffsetSeconds);
  }

  private HttpResponse<String> readCart(String authorization) {
    HttpRequest.Builder request = gateway.request("/v1/cart").GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return gateway.send(request.build());
  }

  @Test
  @DisplayName("a well-signed HS256 token with exp reads the user's cart")
  void validToken() {
    String good =
        token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims(300), Gateway.JWT_SECRET, "HmacSHA256");
    HttpResponse<String> response = readCart("Bearer " + good);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(response.body()).getString("cartId")).isEqualTo("u:mallory");
  }

  @Test
  @DisplayName("a token signed with another key answers 401")
  void wrongSignature() {
    String forged =
        token(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
            claims(300),
            "another-secret-another-secret-123",
            "HmacSHA256");
    assertUnauthorized(readCart("Bearer " + forged));
  }

  @Test
  @DisplayName("alg none answers 401")
  void algNone() {
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(claims(300).encode()) + ".";
    assertUnauthorized(readCart("Bearer " + none));
  }

  @Test
  @DisplayName("another HMAC algorithm with the right key answers 401: the algorithm is pinned")
  void otherAlgorithm() {
    String hs384 =
        token("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", claims(300), Gateway.JWT_SECRET, "HmacSHA384");
    assertUnauthorized(readCart("Bearer " + hs384));
  }

  @Test
  @DisplayName("an expired token answers 401")
  void expired() {
    String old =
        token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims(-60), Gateway.JWT_SECRET, "HmacSHA256");
    assertUnauthorized(readCart("Bearer " + old));
  }

  @Test
  @DisplayName("a token without exp answers 401")
  void noExp() {
    String forever =
        token(
            "{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
            new JsonObject().put("sub", "mallory"),
            Gateway.JWT_SECRET,
            "HmacSHA256");
    assertUnauthorized(readCart("Bearer " + forever));
  }

  @ParameterizedTest(name = "Authorization: {0}")
  @ValueSource(strings = {"Bearer not-a-jwt", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "})
  @DisplayName("malformed tokens answer 401")
  void malformed(String authorization) {
    assertUnauthorized(readCart(authorization));
  }

  @Test
  @DisplayName("a read with no identity answers 401")
  void missing() {
    assertUnauthorized(readCart(null));
  }

  @Test
  @DisplayName("a write with a bad token answers 401 and starts no guest session")
  void badTokenWrite() {
    HttpResponse<String> response =
        gateway.send(
            gateway
                .request("/v1/cart/items")
                .header("Authorization", "Bearer nope")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"X\",\"quantity\":1}"))
                .build());
    assertUnauthorized(response);
    assertThat(response.headers().firstValue("X-Cart-Session")).isEmpty();
  }

  @Test
  @DisplayName(
      "admin routes refuse anonymous calls (401), user tokens (403) and wrong tokens (401)")
  void adminRefusesOthers() {
    String body = "{\"price\":\"1.00\",\"currency\":\"USD\",\"stock\":1}";
    String sku = Gateway.unique("ADM");
    HttpResponse<String> anonymous = adminPut(sku, body, null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> user = adminPut(sku, body, "Bearer " + gateway.userToken("alice"));
    assertThat(user.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(user.body()).getString("code")).isEqualTo("forbidden");
    HttpResponse<String> wrong = adminPut(sku, body, "Bearer not-the-admin-token");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(gateway.send(gateway.request("/v1/skus/" + sku).GET().build()).statusCode())
        .isEqualTo(404);
    assertThat(adminPut(sku, body, "Bearer " + Gateway.ADMIN_TOKEN).statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> adminPut(String sku, String body, String authorization) {
    HttpRequest.Builder request =
        gateway
            .request("/v1/admin/skus/" + sku)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return gateway.send(request.build());
  }

  private static void assertUnauthorized(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(new JsonObject(response.body()).getString("code")).isEqualTo("unauthorized");
  }
}
