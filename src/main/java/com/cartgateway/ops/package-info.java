/**
 * Operations: liveness, and readiness from checks of each dependency, of the circuits and of the
 * store's state, run in the background so that a probe never waits on a dependency.
 */
package com.cartgateway.ops;
