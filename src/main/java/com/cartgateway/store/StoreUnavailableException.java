package com.cartgateway.store;

/** A backing service did not answer in time or at all; the client should retry later. */
public final class StoreUnavailableException extends RuntimeException {
  private final String service;

  /**
   * @param service the service that failed, for logs and metrics (never shown to clients)
   * @param cause what the client library reported
   */
  public StoreUnavailableException(String service, Throwable cause) {
    super(service + " unavailable: " + cause.getMessage(), cause);
    this.service = service;
  }

  /** The service that failed. */
  public String service() {
    return service;
  }
}
