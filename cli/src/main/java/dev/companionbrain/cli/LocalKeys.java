package dev.companionbrain.cli;

import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.query.ApiKeyStore;
import dev.companionbrain.core.cache.RedisConnector;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The key store on a Redis (the stack's, or the catalogue's {@code BRAIN_REDIS_URI}), opened for one piece of work. */
public final class LocalKeys {
  private LocalKeys() {}

  /** Runs {@code work} with the key store at {@code redisUri}, closing the connection after. */
  public static <T> T withStore(String redisUri, Function<ApiKeyStore, T> work) {
    try (RedisConnector client = RedisConnector.create(redisUri, RedisConnector.Options.WRITING);
        RedisConnector.Connection connection = client.connect()) {
      return work.apply(new ApiKeyStore(connection));
    }
  }

  /** A new key's token: named {@code name}, with {@code scopes}, every document, no expiry. */
  public static String create(String redisUri, String name, Set<Scope> scopes) {
    return withStore(redisUri, store -> store.create(name, scopes, (List<String>) null, null, null,
        System.currentTimeMillis()).token());
  }
}
