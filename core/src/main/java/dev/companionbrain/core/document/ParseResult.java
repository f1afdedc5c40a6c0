package dev.companionbrain.core.document;

/** Either a valid change or the reason the record was refused. */
public sealed interface ParseResult {
  record Valid(DocumentChange change) implements ParseResult {}

  record Rejected(RejectReason reason, String message) implements ParseResult {}
}
