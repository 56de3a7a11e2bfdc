package com.cartgateway.identity;

/** A caller whose identity is missing, wrong, or not allowed; nothing was changed. */
public final class IdentityException extends RuntimeException {
  /** What is wrong with the identity. */
  public enum Kind {
    /** No identity, or one that does not verify: 401. */
    UNAUTHENTICATED,
    /** A verified identity that may not do this: 403. */
    FORBIDDEN,
    /** A guest session id that is not one we could have issued: 400. */
    MALFORMED_SESSION
  }

  private final Kind kind;

  /**
   * @param kind what is wrong
   * @param detail a sentence for the client
   */
  public IdentityException(Kind kind, String detail) {
    super(detail, null, false, false);
    this.kind = kind;
  }

  /** What is wrong. */
  public Kind kind() {
    return kind;
  }
}
