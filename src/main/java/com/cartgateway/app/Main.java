package com.cartgateway.app;

import com.cartgateway.config.AppConfig;
import com.cartgateway.config.ConfigException;
import com.cartgateway.config.ConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Production entry point: {@code java -jar target/cart-gateway.jar}. */
public final class Main {
  private static final Logger LOG = Logger.getLogger(Main.class.getName());

  private Main() {}

  /**
   * Loads the configuration, starts the roles, and stops them gracefully on SIGTERM.
   *
   * @param args ignored; configuration comes from conf/, system properties and the environment
   */
  public static void main(String[] args) {
    configureLogging();
    AppConfig config;
    try {
      config = ConfigLoader.load(System.getenv(), System.getProperties());
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Logging.use(config.logs().format());
    run(config);
  }

  /** Starts the application and installs the graceful stop; exits the JVM when it cannot start. */
  public static Application run(AppConfig config) {
    Application app;
    try {
      app = Application.start(config).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.SEVERE, "the gateway could not start", e);
      System.exit(1);
      return null;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(app), "graceful-stop"));
    return app;
  }

  /**
   * Reads {@code logging.properties} from the classpath unless the operator named a file, and
   * bridges java.util.logging into SLF4J (Logback).
   */
  public static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") == null) {
      try (InputStream in = Main.class.getClassLoader().getResourceAsStream("logging.properties")) {
        if (in != null) {
          // JUL loads the handlers a file names from the system class loader only, which lacks
          // ours under exec:java: the bridge is installed below instead.
          Properties levels = new Properties();
          levels.load(in);
          levels.remove("handlers");
          ByteArrayOutputStream text = new ByteArrayOutputStream();
          levels.store(text, null);
          LogManager.getLogManager()
              .readConfiguration(new ByteArrayInputStream(text.toByteArray()));
        }
      } catch (IOException e) {
        LOG.log(Level.WARNING, "logging.properties unreadable; default logging", e);
      }
    }
    Logging.bridgeJavaUtilLogging();
  }

  private static void stop(Application app) {
    CountDownLatch done = new CountDownLatch(1);
    app.close().onComplete(ignored -> done.countDown());
    try {
      if (!done.await(30, TimeUnit.SECONDS)) {
        LOG.warning("graceful stop took over 30 s; exiting anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Logging.flush();
    }
  }
}
