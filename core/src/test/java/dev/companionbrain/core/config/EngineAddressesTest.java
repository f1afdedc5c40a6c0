package dev.companionbrain.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineAddressesTest {

  @Test
  void localDefaultsWithoutAnyVariable() {
    EngineAddresses engines = EngineAddresses.from(new Settings(Map.of()));

    assertThat(engines).isEqualTo(new EngineAddresses("http://127.0.0.1:9200", null, null, "http://127.0.0.1:7700", null,
        "redis://127.0.0.1:6379"));
  }

  @Test
  void readsEveryVariableAndNeverShowsASecret() {
    EngineAddresses engines = EngineAddresses.from(new Settings(Map.of(
        "BRAIN_ELASTICSEARCH_URL", "https://es.internal:9200",
        "BRAIN_ELASTICSEARCH_USERNAME", "indexer",
        "BRAIN_ELASTICSEARCH_PASSWORD", "es-s3cret",
        "BRAIN_MEILISEARCH_URL", "http://meili.internal:7700",
        "BRAIN_MEILISEARCH_KEY", "meili-master-key-123",
        "BRAIN_REDIS_URI", "redis://:redis-pa55@redis.internal:6379")));

    assertThat(engines).isEqualTo(new EngineAddresses("https://es.internal:9200", "indexer", "es-s3cret",
        "http://meili.internal:7700", "meili-master-key-123", "redis://:redis-pa55@redis.internal:6379"));
    assertThat(engines.toString())
        .contains("https://es.internal:9200", "http://meili.internal:7700")
        .doesNotContain("es-s3cret", "meili-master-key-123", "redis-pa55");
  }
}
