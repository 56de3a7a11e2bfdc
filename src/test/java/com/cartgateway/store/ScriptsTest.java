package com.cartgateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the script registry")
class ScriptsTest {
  private static final Set<String> PRELUDES =
      Set.of("cart_common", "hold_common", "op_record", "token_bucket");

  @Test
  @DisplayName("holds every script in src/main/resources/lua, once, and no prelude on its own")
  void complete() throws IOException {
    Set<String> files;
    try (Stream<Path> lua = Files.list(Path.of("src/main/resources/lua"))) {
      files =
          lua.map(p -> p.getFileName().toString().replaceFirst("\\.lua$", ""))
              .collect(Collectors.toSet());
    }
    Set<String> registered = Scripts.ALL.stream().map(LuaScript::name).collect(Collectors.toSet());
    assertThat(Scripts.ALL).hasSameSizeAs(registered);
    assertThat(registered).doesNotContainAnyElementsOf(PRELUDES);
    assertThat(registered)
        .containsExactlyInAnyOrderElementsOf(
            files.stream().filter(f -> !PRELUDES.contains(f)).toList());
  }
}
