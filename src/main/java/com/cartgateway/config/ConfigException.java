package com.cartgateway.config;

import java.util.List;

/** A configuration that cannot start the gateway; the message names every offending setting. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  ConfigException(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per offending setting, each naming it. */
  public List<String> problems() {
    return problems;
  }
}
