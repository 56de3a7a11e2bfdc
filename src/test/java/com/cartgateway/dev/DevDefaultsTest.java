package com.cartgateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.cartgateway.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dev mode's defaults")
class DevDefaultsTest {
  @Test
  @DisplayName("listen on the loopback address only, since the dev secrets are public")
  void loopbackByDefault() {
    Properties none = new Properties();
    assertThat(
            ConfigLoader.fromLayers(new JsonObject(), none, DevMain.defaults(none)).http().host())
        .isEqualTo("127.0.0.1");
  }

  @Test
  @DisplayName("give way to an address the environment or a system property names")
  void askedOtherwise() {
    Properties none = new Properties();
    Map<String, String> env = new HashMap<>(DevMain.defaults(none));
    env.put("CART_HTTP_HOST", "0.0.0.0");
    assertThat(ConfigLoader.fromLayers(new JsonObject(), none, env).http().host())
        .isEqualTo("0.0.0.0");

    Properties property = new Properties();
    property.setProperty("CART_HTTP_HOST", "0.0.0.0");
    assertThat(
            ConfigLoader.fromLayers(new JsonObject(), property, DevMain.defaults(property))
                .http()
                .host())
        .isEqualTo("0.0.0.0");
  }
}
