/**
 * The process: the entry point, the building of the clients its verticles share, and the deployment
 * of the roles the configuration names, with a graceful stop on SIGTERM.
 */
package com.cartgateway.app;
