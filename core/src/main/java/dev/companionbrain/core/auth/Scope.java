package dev.companionbrain.core.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an API key may do. {@link #ADMIN} may do everything. */
public enum Scope {
  /** {@code /search}, {@code /multi-search}, {@code /search/stream} */
  SEARCH,
  /** {@code /documents/{id}} */
  DOCUMENTS,
  /** {@code /metrics} */
  METRICS,
  /** everything, and {@code GET /admin/keys} */
  ADMIN;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException naming the scopes there are */
  @JsonCreator
  public static Scope fromWire(String name) {
    for (Scope scope : values()) {
      if (scope.wireName().equals(name)) {
        return scope;
      }
    }
    throw new IllegalArgumentException("no scope '" + name + "': search, documents, metrics or admin");
  }
}
