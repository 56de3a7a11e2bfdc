/**
 * What the verticles of one process share: {@link com.cartgateway.process.ProcessClients}, the
 * thread-safe clients and caches that the application builds once and hands to each verticle by
 * constructor. It sits below the verticles' packages, so that none of them imports the application.
 */
package com.cartgateway.process;
