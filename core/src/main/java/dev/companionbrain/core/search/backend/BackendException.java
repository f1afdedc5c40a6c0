package dev.companionbrain.core.search.backend;

/** An engine answered with an error (status and the start of its body, never credentials). */
public final class BackendException extends RuntimeException {
  private final int status;

  public BackendException(String backend, int status, String body) {
    super(backend + " answered " + status + ": " + (body == null ? "" : body.substring(0, Math.min(200, body.length()))),
        null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
