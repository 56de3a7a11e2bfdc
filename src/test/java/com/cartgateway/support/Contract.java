package com.cartgateway.support;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contract in {@code openapi.yaml}, which every answer a {@link Gateway} call receives is
 * checked against: so the document, not a copy in the tests, says what the API answers.
 */
public final class Contract {
  /**
   * vertx-openapi 5.0.8 refuses to model a response whose media type is outside its fixed list
   * (JSON, {@code vnd.*+json}, text, multipart, octet-stream) and offers no way to add one, yet the
   * API answers {@code application/problem+json} (RFC 9457) and serves this document as {@code
   * application/yaml}. The document is loaded with exactly those media-type keys renamed to types
   * the library handles alike, and answers are looked up under the same names. The OpenAPI schema
   * does not constrain media-type keys, so the renamed document is valid exactly when the original
   * is.
   */
  public static final Map<String, String> ALIASES =
      Map.of(
          "application/problem+json", "application/vnd.cart-gateway.problem+json",
          "application/yaml", "application/octet-stream");

  private static final Pattern MEDIA_TYPE_KEY =
      Pattern.compile("(?m)^(\\s+)(application/problem\\+json|application/yaml):\\s*$");

  private static Contract instance;

  private final OpenAPIContract contract;
  private final ResponseValidator validator;

  private Contract(OpenAPIContract contract, ResponseValidator validator) {
    this.contract = contract;
    this.validator = validator;
  }

  /** The contract served at {@code /openapi.yaml}, read from the classpath once. */
  public static synchronized Contract get() {
    if (instance == null) {
      Vertx vertx = Vertx.vertx();
      try {
        Path copy = Files.createTempFile("openapi-", ".yaml");
        copy.toFile().deleteOnExit();
        Files.writeString(copy, aliased(source()), StandardCharsets.UTF_8);
        OpenAPIContract contract = OpenAPIContract.from(vertx, copy.toString()).await(30, SECONDS);
        instance = new Contract(contract, ResponseValidator.create(vertx, contract));
      } catch (Exception e) {
        throw new IllegalStateException("openapi.yaml did not load", e);
      }
    }
    return instance;
  }

  /** The text of {@code openapi.yaml}, as the gateway serves it. */
  public static String source() throws IOException {
    try (InputStream in = Contract.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IOException("no openapi.yaml on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The parsed document. */
  public OpenAPIContract document() {
    return contract;
  }

  /**
   * Fails unless the contract describes the answer to the request: an operation for its method and
   * path, a response for its status, the headers that response requires, and a body of its schema.
   */
  public void check(HttpRequest request, HttpResponse<String> response) {
    // Header names are case-insensitive; the validator looks them up as the document spells them.
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    response.headers().map().forEach((name, values) -> headers.put(name, String.join(",", values)));
    check(
        request.method(), request.uri().getPath(), response.statusCode(), headers, response.body());
  }

  /** As {@link #check(HttpRequest, HttpResponse)}, with the answer in parts. */
  void check(String method, String path, int status, Map<String, String> headers, String body) {
    String call = method + " " + path + " answered " + status;
    Operation operation = contract.findOperation(path, HttpMethod.valueOf(method));
    if (operation == null) {
      throw new AssertionError(call + ", but openapi.yaml has no operation for it");
    }
    // The document keys its media types without parameters such as charset.
    String contentType =
        Optional.ofNullable(headers.get("Content-Type"))
            .map(Contract::mediaType)
            .map(type -> ALIASES.getOrDefault(type, type))
            .orElse(null);
    try {
      if (contentType != null && !isJson(contentType)) {
        checkText(operation, status, headers, contentType);
        return;
      }
      ValidatableResponse response =
          ValidatableResponse.create(
              status,
              headerValues(operation, status, headers),
              body.isEmpty() ? null : Buffer.buffer(body),
              contentType);
      validator.validate(response, operation.getOperationId()).await(10, SECONDS);
    } catch (Exception e) {
      throw new AssertionError(
          call
              + ", which "
              + operation.getOperationId()
              + " in openapi.yaml does not describe: "
              + e.getMessage()
              + "\nheaders: "
              + headers
              + "\nbody: "
              + body,
          e);
    }
  }

  private static boolean isJson(String mediaType) {
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  /**
   * The headers as the validator should read them. It decodes a value of a string-typed header as
   * JSON unless it is a single word, so an entity tag {@code "8"} would reach the schema as {@code
   * 8}: such a value is passed as the JSON string that decodes to it.
   */
  private static Map<String, String> headerValues(
      Operation operation, int status, Map<String, String> headers) {
    Response response = described(operation, status);
    if (response == null) {
      return headers;
    }
    Map<String, String> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    values.putAll(headers);
    for (Parameter header : response.getHeaders()) {
      String value = headers.get(header.getName());
      if (value != null && header.getSchemaType() == SchemaType.STRING && !value.matches("\\w+")) {
        values.put(header.getName(), Json.encode(value));
      }
    }
    return values;
  }

  /**
   * A text answer (metrics, this document), which the validator cannot read: its status and media
   * type must be documented, with a string schema, and the headers the response requires present.
   */
  private static void checkText(
      Operation operation, int status, Map<String, String> headers, String contentType) {
    Response response = described(operation, status);
    if (response == null) {
      throw new IllegalStateException("no response for status " + status);
    }
    MediaType media = response.getContent().get(contentType);
    if (media == null) {
      throw new IllegalStateException("no content of type " + contentType);
    }
    if (!"string".equals(media.getSchema().get("type"))) {
      throw new IllegalStateException(
          contentType + " is described by a schema other than a string");
    }
    for (Parameter header : response.getHeaders()) {
      if (header.isRequired() && !headers.containsKey(header.getName())) {
        throw new IllegalStateException("the required header " + header.getName() + " is missing");
      }
    }
  }

  private static Response described(Operation operation, int status) {
    Response response = operation.getResponse(status);
    return response != null ? response : operation.getDefaultResponse();
  }

  /** The document with the unmodelled media-type keys renamed, and nothing else changed. */
  static String aliased(String document) {
    for (String alias : ALIASES.values()) {
      if (document.contains(alias)) {
        throw new IllegalStateException("openapi.yaml already uses " + alias);
      }
    }
    Matcher matcher = MEDIA_TYPE_KEY.matcher(document);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(
          out, Matcher.quoteReplacement(matcher.group(1) + ALIASES.get(matcher.group(2)) + ":"));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static String mediaType(String contentType) {
    int parameters = contentType.indexOf(';');
    return (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
  }
}
