package dev.companionbrain.localstack;

/** Something the stack needs is not installed; the message names it and how to get it. */
public final class MissingPrerequisiteException extends EngineStartException {
  public MissingPrerequisiteException(String message) {
    super(message);
  }
}
