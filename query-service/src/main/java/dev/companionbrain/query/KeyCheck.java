package dev.companionbrain.query;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.companionbrain.core.auth.ApiKey;
import dev.companionbrain.core.auth.ApiKeyTokens;
import dev.companionbrain.core.auth.Scope;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Who is asking, and whether they may: the {@code Authorization: Bearer <key>} of a request checked
 * against the key store. A key's record is looked up at most once per {@link #RECHECK} per
 * instance, so a key revoked in the store stops working everywhere within that time; a wrong key is
 * remembered as wrong for as long. While the store cannot answer, a key this instance found in the
 * last {@link #KNOWN} is still taken as it was (nobody can revoke one while the store is away); any
 * other is a 503. With keys off every request is an anonymous caller with every
 * scope, told apart by its remote address.
 */
final class KeyCheck {
  /** How long a looked-up key (or its absence) is trusted before the store is asked again. */
  static final Duration RECHECK = Duration.ofMillis(500);
  /** How long a key found in the store is still taken as it was while the store cannot answer. */
  static final Duration KNOWN = Duration.ofMinutes(10);
  private static final int MAX_TOKEN_CHARS = 200;

  private final boolean required;
  private final Function<String, Optional<ApiKey>> lookup;
  private final LongSupplier clock;
  private final Cache<String, Optional<ApiKey>> recent;
  private final Cache<String, ApiKey> known;

  /**
   * @param required whether requests need a key
   * @param lookup the key with a SHA-256 ({@link ApiKeyStore#find}); throws when the store cannot answer
   * @param ticker nanoseconds, for {@link #RECHECK}
   * @param clock epoch milliseconds, for expiry
   */
  KeyCheck(boolean required, Function<String, Optional<ApiKey>> lookup, Ticker ticker, LongSupplier clock) {
    this.required = required;
    this.lookup = lookup;
    this.clock = clock;
    this.recent = Caffeine.newBuilder().expireAfterWrite(RECHECK).maximumSize(10_000).ticker(ticker).build();
    this.known = Caffeine.newBuilder().expireAfterWrite(KNOWN).maximumSize(10_000).ticker(ticker).build();
  }

  /**
   * A caller: whom the concurrency share counts ({@code client}), and its key (null when keys are off).
   */
  record Caller(String client, ApiKey key) {
    /** The tags this caller may see, or null for every document. */
    List<String> tenantTags() {
      return key == null ? null : key.tenantTags();
    }

    /** Its share of searches at once: the key's own, else {@code perClient}. */
    int share(int perClient) {
      return key == null || key.maxConcurrent() == null ? perClient : key.maxConcurrent();
    }
  }

  boolean required() {
    return required;
  }

  /**
   * The caller of a request with this {@code Authorization} header, allowed {@code scope}.
   *
   * @throws ApiException 401 ({@code missing_key}, {@code invalid_key}, {@code expired_key},
   *     {@code revoked_key}), 403 {@code insufficient_scope}, or 503 {@code key_store_unavailable}
   */
  Caller check(String authorization, String remoteAddress, Scope scope) {
    if (!required) {
      return new Caller("ip:" + remoteAddress, null);
    }
    if (authorization == null || authorization.isBlank()) {
      throw unauthorized("missing_key", "this endpoint needs an API key: Authorization: Bearer <key>");
    }
    String token = bearer(authorization);
    if (token == null || ApiKeyTokens.idOf(token) == null) {
      throw unauthorized("invalid_key", "the Authorization header is not Bearer and an API key of this service");
    }
    String hash = ApiKeyTokens.hash(token);
    Optional<ApiKey> found = recent.getIfPresent(hash);
    if (found == null) {
      try {
        found = lookup.apply(hash);
        found.ifPresentOrElse(key -> known.put(hash, key), () -> known.invalidate(hash));
      } catch (RuntimeException e) {
        ApiKey lastSeen = known.getIfPresent(hash);
        if (lastSeen == null) {
          throw new ApiException(503, "key_store_unavailable", "the API keys cannot be read now; retry shortly");
        }
        found = Optional.of(lastSeen);
      }
      recent.put(hash, found);
    }
    ApiKey key = found.orElseThrow(() -> unauthorized("invalid_key", "no such API key"));
    if (key.revoked()) {
      throw unauthorized("revoked_key", "API key " + key.id() + " was revoked");
    }
    if (key.expiredAt(clock.getAsLong())) {
      throw unauthorized("expired_key", "API key " + key.id() + " has expired");
    }
    if (!key.allows(scope)) {
      throw new ApiException(403, "insufficient_scope",
          "API key " + key.id() + " may not use this endpoint: it needs scope " + scope.wireName());
    }
    return new Caller("key:" + key.id(), key);
  }

  /** The token of {@code Bearer <token>} (the scheme in any case), or null. */
  static String bearer(String authorization) {
    String value = authorization.strip();
    if (value.length() < 8 || value.length() > MAX_TOKEN_CHARS || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = value.substring(7).strip();
    return token.isEmpty() ? null : token;
  }

  private static ApiException unauthorized(String code, String message) {
    return new ApiException(401, code, message);
  }
}
