/**
 * The process: the entry point, the building of the clients its verticles share ({@link
 * com.cartgateway.app.SharedClients}) and of its metrics registry, and the deployment of the roles
 * the configuration names, each from its own factory, with a graceful stop on SIGTERM.
 */
package com.cartgateway.app;
