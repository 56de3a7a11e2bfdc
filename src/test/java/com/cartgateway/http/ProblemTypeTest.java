package com.cartgateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.support.Contract;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The problem table against the contract, which clients read the codes and titles from. */
@DisplayName("The problem table")
class ProblemTypeTest {
  private final JsonObject components =
      Contract.get().document().getRawContract().getJsonObject("components");

  @Test
  @DisplayName("answers exactly the problem codes openapi.yaml lists")
  void codesAreTheContracts() {
    List<?> listed =
        components
            .getJsonObject("schemas")
            .getJsonObject("Problem")
            .getJsonObject("properties")
            .getJsonObject("code")
            .getJsonArray("enum")
            .getList();
    assertThat(Arrays.stream(ProblemType.values()).map(type -> type.code).distinct())
        .containsExactlyInAnyOrderElementsOf(listed.stream().map(Object::toString).toList());
  }

  @Test
  @DisplayName("gives each problem example of openapi.yaml its status, code and title")
  void examplesAreRowsOfTheTable() {
    List<JsonObject> problems =
        components.getJsonObject("examples").stream()
            .map(example -> example.getValue())
            .filter(JsonObject.class::isInstance)
            .map(example -> ((JsonObject) example).getValue("value"))
            .filter(value -> value instanceof JsonObject body && body.containsKey("code"))
            .map(JsonObject.class::cast)
            .toList();
    assertThat(problems).isNotEmpty();
    var rows =
        Arrays.stream(ProblemType.values())
            .map(type -> type.status + " " + type.code + " " + type.title)
            .collect(Collectors.toSet());
    for (JsonObject problem : problems) {
      assertThat(rows)
          .as("example %s", problem.encode())
          .contains(
              problem.getInteger("status")
                  + " "
                  + problem.getString("code")
                  + " "
                  + problem.getString("title"));
    }
  }

  @Test
  @DisplayName("answers a bare status only where Vert.x Web or a handler fails with one")
  void bareStatuses() {
    assertThat(ProblemType.ofBareStatus(415)).isEqualTo(ProblemType.UNSUPPORTED_MEDIA_TYPE);
    assertThat(ProblemType.ofBareStatus(400)).isEqualTo(ProblemType.INVALID_REQUEST);
    assertThat(ProblemType.ofBareStatus(503)).isEqualTo(ProblemType.UNAVAILABLE);
    assertThat(ProblemType.ofBareStatus(422)).isNull();
    assertThat(ProblemType.ofBareStatus(500)).isNull();
  }
}
