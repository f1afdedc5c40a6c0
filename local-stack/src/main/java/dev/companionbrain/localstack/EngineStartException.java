package dev.companionbrain.localstack;

/** An engine of the local stack could not be started or did not become ready. */
public class EngineStartException extends RuntimeException {
  public EngineStartException(String message) {
    super(message);
  }

  public EngineStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
