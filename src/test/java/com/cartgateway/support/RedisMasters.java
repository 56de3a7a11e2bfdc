package com.cartgateway.support;

import com.cartgateway.dev.DevServices;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Commands about a server rather than a key (SCRIPT, KEYS, INFO...), sent to every master of the
 * test Redis: a cluster client would send them to one node, any of the six.
 */
public final class RedisMasters {
  private RedisMasters() {}

  /** The URL of each master: the cluster's (from {@code CLUSTER SLOTS}), or the one server's. */
  public static List<String> urls(Vertx vertx) throws Exception {
    TestServices services = TestServices.get();
    if (TestServices.topology() != DevServices.Topology.CLUSTER) {
      return List.of(services.redisUrl());
    }
    Redis cluster = services.redisClient(vertx);
    try {
      TreeSet<String> masters = new TreeSet<>();
      // Each range: [first slot, last slot, master [host, port, id], replicas...]
      for (Response range :
          cluster.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).await(5, TimeUnit.SECONDS)) {
        Response master = range.get(2);
        masters.add("redis://" + master.get(0) + ":" + master.get(1));
      }
      return List.copyOf(masters);
    } finally {
      cluster.close();
    }
  }

  /** Each master's answer to the request, in the order of {@link #urls}. */
  public static List<Response> send(Vertx vertx, Request request) throws Exception {
    List<Response> answers = new ArrayList<>();
    for (String url : urls(vertx)) {
      Redis master = Redis.createClient(vertx, url);
      try {
        answers.add(master.send(request).await(5, TimeUnit.SECONDS));
      } finally {
        master.close();
      }
    }
    return answers;
  }
}
