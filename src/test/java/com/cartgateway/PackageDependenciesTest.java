package com.cartgateway;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Dependencies between packages")
class PackageDependenciesTest {
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("com.cartgateway");
  }

  /** Each package directly under {@code root} is one slice; no slice may reach itself again. */
  private static ArchRule freeOfCycles(String root) {
    return slices().matching(root + ".(*)..").should().beFreeOfCycles();
  }

  @Test
  @DisplayName("run one way: no package reaches itself through the packages it uses")
  void noCycles() {
    freeOfCycles("com.cartgateway").check(main);
  }

  @Test
  @DisplayName("the cycle check reports a planted cycle between two packages")
  void cycleCheckFindsAPlantedCycle() {
    JavaClasses planted = new ClassFileImporter().importPackages("com.cartgateway.archfixture");

    EvaluationResult result = freeOfCycles("com.cartgateway.archfixture").evaluate(planted);

    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString())
        .contains("Cycle detected")
        .contains("archfixture.a.Ping")
        .contains("archfixture.b.Pong");
  }

  @Test
  @DisplayName("config/ is at the bottom: it uses no other package of ours")
  void configUsesNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("com.cartgateway.config..")
        .should()
        .dependOnClassesThat(
            resideInAPackage("com.cartgateway..")
                .and(resideOutsideOfPackage("com.cartgateway.config..")))
        .check(main);
  }
}
