package com.cartgateway.store;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One Lua script from {@code src/main/resources/lua}, with its SHA-1 as Redis computes it.
 *
 * @param name the file name, for errors and metrics
 * @param source the script text
 * @param sha the SHA-1 that EVALSHA names it by
 */
public record LuaScript(String name, String source, String sha) {

  /** Loads {@code lua/<name>.lua}, after the given preludes (shared helper functions). */
  public static LuaScript load(String name, String... preludes) {
    StringBuilder text = new StringBuilder();
    for (String prelude : preludes) {
      text.append(read(prelude)).append('\n');
    }
    String source = text.append(read(name)).toString();
    return new LuaScript(name, source, sha1(source));
  }

  /** Runs the script on {@code keys} (each on one cluster slot) with {@code args}. */
  public Future<ScriptReply> call(RedisGateway redis, List<String> keys, List<Object> args) {
    return redis.eval(this, keys, args).map(ScriptReply::of);
  }

  private static String read(String name) {
    String path = "lua/" + name + ".lua";
    try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing script resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String source) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-1");
      return HexFormat.of().formatHex(digest.digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
