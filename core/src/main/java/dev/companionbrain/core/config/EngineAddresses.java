package dev.companionbrain.core.config;

import java.io.Serializable;

/**
 * Where the engines are and how to log in to them: what the indexing job and the query service
 * both need. {@link #toString()} never shows a secret (the Elasticsearch password, the Meilisearch
 * key, or the Redis URI, which may carry a password).
 *
 * @param elasticsearchUsername null when the cluster needs no login
 * @param elasticsearchPassword null when the cluster needs no login
 * @param meilisearchKey null when Meilisearch runs without a master key
 */
public record EngineAddresses(
    String elasticsearchUrl,
    String elasticsearchUsername,
    String elasticsearchPassword,
    String meilisearchUrl,
    String meilisearchKey,
    String redisUri) implements Serializable {

  /** From {@code BRAIN_ELASTICSEARCH_*}, {@code BRAIN_MEILISEARCH_*} and {@code BRAIN_REDIS_URI}, with local defaults. */
  public static EngineAddresses from(Settings s) {
    return new EngineAddresses(s.elasticsearchUrl(), s.elasticsearchUsername(), s.elasticsearchPassword(),
        s.meilisearchUrl(), s.meilisearchKey(), s.redisUri());
  }

  /** Engines without logins, as the local stack runs them (only Meilisearch has a key). */
  public static EngineAddresses withoutLogins(String elasticsearchUrl, String meilisearchUrl, String meilisearchKey,
      String redisUri) {
    return new EngineAddresses(elasticsearchUrl, null, null, meilisearchUrl, meilisearchKey, redisUri);
  }

  @Override
  public String toString() {
    return "elasticsearch=" + elasticsearchUrl + ", meilisearch=" + meilisearchUrl;
  }
}
