package dev.companionbrain.query;

import dev.companionbrain.core.auth.ApiKey;
import dev.companionbrain.core.auth.ApiKeyTokens;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.cache.RedisKeys;
import io.lettuce.core.KeyValue;
import dev.companionbrain.core.cache.RedisConnector;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys, in Redis: each key's {@link ApiKey} at {@link RedisKeys#apiKey} (its SHA-256), and
 * {@link RedisKeys#API_KEY_IDS} from each id to that hash. {@code brain keys} creates, lists and
 * revokes here with the operator's Redis user; the query service only reads ({@link #find}). A
 * revoked key keeps its record (marked revoked), so the service can say so.
 */
public final class ApiKeyStore {
  private final RedisClusterCommands<String, String> redis;

  public ApiKeyStore(RedisConnector.Connection connection) {
    this.redis = connection.sync();
  }

  /** A key just made: {@code token} is shown once and never stored. */
  public record Created(String token, ApiKey key) {}

  /**
   * Makes and stores a new key.
   *
   * @throws IllegalArgumentException when a field is invalid (see {@link ApiKey})
   */
  public Created create(String name, Set<Scope> scopes, List<String> tenantTags, Integer maxConcurrent, Long expiresAt,
      long nowMillis) {
    String token = ApiKeyTokens.generate();
    ApiKey key = new ApiKey(ApiKeyTokens.idOf(token), ApiKeyTokens.hash(token), name, scopes, tenantTags, maxConcurrent,
        nowMillis, expiresAt, null);
    redis.set(RedisKeys.apiKey(key.hash()), key.toJson());
    redis.hset(RedisKeys.API_KEY_IDS, key.id(), key.hash());
    return new Created(token, key);
  }

  /** The key whose SHA-256 is {@code hash}, revoked or expired ones included. */
  public Optional<ApiKey> find(String hash) {
    return Optional.ofNullable(redis.get(RedisKeys.apiKey(hash))).map(ApiKeyStore::read);
  }

  /** Every key, oldest first. */
  public List<ApiKey> list() {
    Map<String, String> ids = redis.hgetall(RedisKeys.API_KEY_IDS);
    if (ids.isEmpty()) {
      return List.of();
    }
    List<ApiKey> keys = new ArrayList<>();
    for (KeyValue<String, String> kv : redis.mget(ids.values().stream().map(RedisKeys::apiKey).toArray(String[]::new))) {
      if (kv.hasValue()) {
        keys.add(read(kv.getValue()));
      }
    }
    keys.sort(Comparator.comparing((ApiKey k) -> k.createdAt() == null ? 0L : k.createdAt()).thenComparing(ApiKey::id));
    return keys;
  }

  /**
   * Revokes the key with this id, or the one key with this name.
   *
   * @return the revoked key, or empty when none has that id or name
   * @throws IllegalArgumentException when several keys have that name
   */
  public Optional<ApiKey> revoke(String idOrName, long nowMillis) {
    List<ApiKey> keys = list();
    List<ApiKey> matches = keys.stream().filter(k -> k.id().equals(idOrName)).toList();
    if (matches.isEmpty()) {
      matches = keys.stream().filter(k -> k.name().equals(idOrName) && !k.revoked()).toList();
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException(matches.size() + " keys are named '" + idOrName + "': revoke one by its id");
    }
    if (matches.isEmpty()) {
      return Optional.empty();
    }
    ApiKey revoked = matches.get(0).revoked() ? matches.get(0) : matches.get(0).revokedAt(nowMillis);
    redis.set(RedisKeys.apiKey(revoked.hash()), revoked.toJson());
    return Optional.of(revoked);
  }

  private static ApiKey read(String json) {
    try {
      return ApiKey.fromJson(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
