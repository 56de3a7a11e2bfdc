/**
 * Configuration: {@code conf/application.json}, then system properties, then environment variables,
 * validated once at start into the immutable {@link com.cartgateway.config.AppConfig} that every
 * component receives by constructor.
 */
package com.cartgateway.config;
