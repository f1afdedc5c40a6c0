package dev.companionbrain.core.config;

import java.util.Map;
import java.util.Optional;

/**
 * Configuration from environment variables with local defaults. Secrets are read here and never
 * logged: {@link #toString()} masks every key whose name says secret, password or key.
 */
public final class Settings {
  private final Map<String, String> values;

  public Settings(Map<String, String> values) {
    this.values = Map.copyOf(values);
  }

  public static Settings fromEnvironment() {
    return new Settings(System.getenv());
  }

  public String get(String name, String fallback) {
    String v = values.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  public Optional<String> find(String name) {
    return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
  }

  public int getInt(String name, int fallback) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
    }
  }

  public long getLong(String name, long fallback) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer, got '" + v + "'");
    }
  }

  // Where the engines are: every component reads them here, with the same local defaults.

  public String kafkaBootstrapServers() {
    return get("BRAIN_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  public String elasticsearchUrl() {
    return get("BRAIN_ELASTICSEARCH_URL", "http://127.0.0.1:9200");
  }

  /** The Elasticsearch user, or null. */
  public String elasticsearchUsername() {
    return find("BRAIN_ELASTICSEARCH_USERNAME").orElse(null);
  }

  /** The Elasticsearch password (a secret), or null. */
  public String elasticsearchPassword() {
    return find("BRAIN_ELASTICSEARCH_PASSWORD").orElse(null);
  }

  public String meilisearchUrl() {
    return get("BRAIN_MEILISEARCH_URL", "http://127.0.0.1:7700");
  }

  /**
   * The Meilisearch key (a secret), or null: {@code BRAIN_MEILISEARCH_KEY}, else the content of the
   * file {@code BRAIN_MEILISEARCH_KEY_FILE} names (a mounted secret, as docker-compose gives the
   * query service its search-only key).
   */
  public String meilisearchKey() {
    return find("BRAIN_MEILISEARCH_KEY").or(() -> find("BRAIN_MEILISEARCH_KEY_FILE").map(Settings::readSecretFile))
        .orElse(null);
  }

  private static String readSecretFile(String path) {
    try {
      String secret = java.nio.file.Files.readString(java.nio.file.Path.of(path.trim())).strip();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("BRAIN_MEILISEARCH_KEY_FILE " + path.trim() + " is empty");
      }
      return secret;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("BRAIN_MEILISEARCH_KEY_FILE " + path.trim() + " cannot be read: " + e);
    }
  }

  public String redisUri() {
    return get("BRAIN_REDIS_URI", "redis://127.0.0.1:6379");
  }

  /** The index name, the same in Elasticsearch and Meilisearch. */
  public String index() {
    return get("BRAIN_INDEX", "documents");
  }

  public Settings with(String name, String value) {
    var copy = new java.util.HashMap<>(values);
    copy.put(name, value);
    return new Settings(copy);
  }

  @Override
  public String toString() {
    return "Settings" + values.keySet().stream().filter(k -> k.startsWith("BRAIN_"))
        .sorted().map(k -> k + "=" + (isSecret(k) ? "****" : values.get(k))).toList();
  }

  static boolean isSecret(String name) {
    String n = name.toUpperCase(java.util.Locale.ROOT);
    return n.contains("KEY") || n.contains("PASSWORD") || n.contains("SECRET");
  }
}
