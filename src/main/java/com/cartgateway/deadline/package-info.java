/**
 * Deadlines of the work an event loop starts (HTTP requests, Redis commands), checked by one
 * periodic timer per event loop instead of a Vert.x timer each. Imports nothing of ours.
 */
package com.cartgateway.deadline;
