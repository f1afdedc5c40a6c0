package dev.companionbrain.core.auth;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.wire.WireJson;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * An API key as the key store keeps it (the one type of that wire format: {@code brain keys} writes
 * it, the query service reads it), in snake_case. It never holds the key itself, only the SHA-256 of
 * it ({@link ApiKeyTokens#hash}), which is also where it is stored.
 *
 * @param id the key's public id (the part of the token before its secret), what lists and logs name
 * @param scopes what it may do (see {@link Scope})
 * @param tenantTags null: it sees every document; else it sees only documents carrying at least one
 *     of these tags, in every search, cached or not, and in {@code /documents/{id}}
 * @param maxConcurrent its share: searches running at once for it; null: the service's per-client share
 * @param expiresAt epoch milliseconds after which it no longer works; null: never
 * @param revokedAt epoch milliseconds when it was revoked; null: it was not
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiKey(String id, String hash, String name, Set<Scope> scopes, List<String> tenantTags,
    Integer maxConcurrent, Long createdAt, Long expiresAt, Long revokedAt) {

  public ApiKey {
    if (id == null || id.isBlank() || hash == null || hash.isBlank()) {
      throw new IllegalArgumentException("a key has an id and a hash");
    }
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException("a key's name is 1 to 100 characters");
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("a key has at least one scope: search, documents, metrics or admin");
    }
    scopes = Set.copyOf(EnumSet.copyOf(scopes));
    if (tenantTags != null) {
      // the same rule as a request's tags: a tenant's tags are a filter the engines apply
      tenantTags = new SearchQuery("tenant", dev.companionbrain.core.search.SearchMode.HYBRID, 1, 0, tenantTags,
          dev.companionbrain.core.search.FusionMethod.RRF,
          dev.companionbrain.core.search.Weights.of(java.util.Map.of(dev.companionbrain.core.search.Retriever.KEYWORD, 1.0)),
          false).tags();
      if (tenantTags.isEmpty()) {
        throw new IllegalArgumentException("a tenant key names at least one tag");
      }
    }
    if (maxConcurrent != null && maxConcurrent < 1) {
      throw new IllegalArgumentException("a key's share is at least 1 search at once, got " + maxConcurrent);
    }
  }

  /** Whether it may do what {@code scope} allows ({@link Scope#ADMIN} allows everything). */
  public boolean allows(Scope scope) {
    return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
  }

  /** Whether it has expired at {@code nowMillis} (the instant it expires it no longer works). */
  public boolean expiredAt(long nowMillis) {
    return expiresAt != null && nowMillis >= expiresAt;
  }

  @JsonIgnore
  public boolean revoked() {
    return revokedAt != null;
  }

  /** The same key, revoked at {@code nowMillis}. */
  public ApiKey revokedAt(long nowMillis) {
    return new ApiKey(id, hash, name, scopes, tenantTags, maxConcurrent, createdAt, expiresAt, nowMillis);
  }

  public String toJson() {
    return WireJson.string(this);
  }

  /** @throws IOException when {@code json} is not a key */
  public static ApiKey fromJson(String json) throws IOException {
    try {
      ApiKey key = WireJson.read(json, ApiKey.class);
      if (key == null) {
        throw new IOException("not an API key");
      }
      return key;
    } catch (IllegalArgumentException e) {
      throw new IOException("not an API key: " + e.getMessage(), e);
    }
  }
}
