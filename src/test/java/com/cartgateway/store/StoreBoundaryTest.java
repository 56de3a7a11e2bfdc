package com.cartgateway.store;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Redis boundary")
class StoreBoundaryTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("com.cartgateway");
  }

  @Test
  @DisplayName("only store/ talks to the Redis client library, so each round trip is found there")
  void onlyStoreUsesTheRedisClient() {
    noClasses()
        .that()
        .resideOutsideOfPackage("com.cartgateway.store..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.vertx.redis.client..")
        .check(main);
  }

  @Test
  @DisplayName("store/ knows no feature package: callers decode its plain types into their own")
  void storeKnowsNoFeature() {
    noClasses()
        .that()
        .resideInAPackage("com.cartgateway.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "com.cartgateway.cart..",
            "com.cartgateway.inventory..",
            "com.cartgateway.http..",
            "com.cartgateway.reconcile..",
            "com.cartgateway.events..",
            "com.cartgateway.dynamo..",
            "com.cartgateway.worker..",
            "com.cartgateway.app..",
            "com.cartgateway.health..")
        .check(main);
  }
}
