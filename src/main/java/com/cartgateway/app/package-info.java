/**
 * The process: the entry point, the clients shared by its verticles, and the deployment of the
 * roles the configuration names, with a graceful stop on SIGTERM.
 */
package com.cartgateway.app;
