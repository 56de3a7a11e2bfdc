/**
 * Test-only classes that break the package rules on purpose: {@code a} and {@code b} use each
 * other, so that {@link com.cartgateway.PackageDependenciesTest} can show its cycle check reports a
 * cycle. Never imported with the main classes.
 */
package com.cartgateway.archfixture;
