/**
 * Readiness: what {@code /health/ready} answers, from checks of each dependency, of the circuits,
 * of the store's state and of the worker group's lag, run in the background so that a probe never
 * waits on a dependency.
 */
package com.cartgateway.health;
