package com.cartgateway.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import com.cartgateway.config.AppConfig;
import java.net.URL;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logging of a gateway process: java.util.logging (which most of our classes still use) is bridged
 * into SLF4J, and Logback ({@code logback.xml}) writes every line to the console as JSON or text.
 */
public final class Logging {
  /** The Logback property that picks the console appender in {@code logback.xml}. */
  static final String FORMAT_PROPERTY = "CART_LOG_FORMAT";

  private static final String CONFIGURATION = "logback.xml";

  private Logging() {}

  /** Sends java.util.logging records to SLF4J, unless {@code logging.properties} already did. */
  public static void bridgeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /**
   * Reloads {@code logback.xml} with the configured console format.
   *
   * @param format the format this process writes
   */
  public static void use(AppConfig.LogFormat format) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    URL configuration = Logging.class.getClassLoader().getResource(CONFIGURATION);
    if (configuration == null) {
      throw new IllegalStateException("missing resource " + CONFIGURATION);
    }
    // reset() stops the async appenders, which first write out what they queued.
    context.reset();
    context.putProperty(FORMAT_PROPERTY, format.value());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException(CONFIGURATION + " is not valid", e);
    }
  }

  /** Writes out the lines still queued; called last, as the process stops. */
  public static void flush() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
  }
}
