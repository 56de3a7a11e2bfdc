package com.cartgateway.dev;

/**
 * A backing service could not be prepared, started or reached. The message carries the last lines
 * of the service's log, since the child process's output goes to a file and not to the console.
 */
public final class DevServicesException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message that says which service and why. */
  public DevServicesException(String message) {
    super(message);
  }

  /** A failure with the underlying cause. */
  public DevServicesException(String message, Throwable cause) {
    super(message, cause);
  }
}
