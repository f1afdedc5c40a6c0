package dev.companionbrain.query;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.Weights;
import java.time.Duration;

/**
 * The query service's configuration, from environment variables with local defaults.
 * {@link #toString()} never shows secrets.
 */
public record QueryConfig(
    String host,
    int port,
    EngineAddresses engines,
    String kafkaBootstrapServers,
    String latencyTopic,
    String index,
    Duration textTimeout,
    Duration keywordTimeout,
    Duration vectorTimeout,
    long l1MaxBytes,
    Duration l1Ttl,
    Duration l2Ttl,
    int maxConcurrentSearches,
    int maxConcurrentSearchesPerClient,
    String clientIdHeader,
    int maxBackendConnections,
    SearchDefaults defaults) {

  /**
   * Default fusion: the weighted sum, chosen by {@code ./brain eval} on Cranfield (docs/RELEVANCE.md):
   * tuned on half of the judged queries (mean nDCG@10 of clean and typo'd queries), judged on the
   * other half, where it beats the best single retriever (kNN) on both: clean 0.416 vs 0.384, typo'd
   * 0.195 vs 0.164. RRF's best was close on clean queries but weaker on typo'd ones.
   */
  public static final String DEFAULT_FUSION = "weighted";
  /**
   * Weighted-sum weights on the fixed-bound normalised scores: the vector retriever leads (best
   * single mode, and the most robust to typos), BM25 adds exact-term precision, Meilisearch a little
   * (alone it scores 0.08: it reads only the first 10 query words, but its typo tolerance helps typo'd
   * queries; at weight 0.2 it moves keyword+vector by -0.002 clean / +0.014 typo'd on the tuning half).
   */
  public static final String DEFAULT_WEIGHTED_WEIGHTS = "text:0.2,keyword:0.4,vector:1";
  /**
   * RRF weights (k = 60) when a request asks for fusion=rrf: the sweep's best RRF point. Equal
   * weights on all three drag RRF down (0.382 clean on the tuning half) because Meilisearch's weak ranking counts as
   * much as the others' in a rank-based fusion.
   */
  public static final String DEFAULT_RRF_WEIGHTS = "text:0.3,keyword:1,vector:2";

  public static QueryConfig from(Settings s) {
    return new QueryConfig(
        s.get("BRAIN_QUERY_HOST", "127.0.0.1"),
        s.getInt("BRAIN_QUERY_PORT", 8080),
        EngineAddresses.from(s),
        s.kafkaBootstrapServers(),
        s.get("BRAIN_LATENCY_TOPIC", "search.latency"),
        s.index(),
        Duration.ofMillis(s.getLong("BRAIN_TEXT_TIMEOUT_MS", 500)),
        Duration.ofMillis(s.getLong("BRAIN_KEYWORD_TIMEOUT_MS", 500)),
        Duration.ofMillis(s.getLong("BRAIN_VECTOR_TIMEOUT_MS", 800)),
        s.getLong("BRAIN_L1_MAX_BYTES", 100L * 1024 * 1024),
        Duration.ofSeconds(s.getLong("BRAIN_L1_TTL_SECONDS", 300)),
        Duration.ofSeconds(s.getLong("BRAIN_L2_TTL_SECONDS", 3600)),
        s.getInt("BRAIN_MAX_CONCURRENT_SEARCHES", 64),
        s.getInt("BRAIN_MAX_CONCURRENT_SEARCHES_PER_CLIENT", 16),
        s.find("BRAIN_CLIENT_ID_HEADER").orElse(null),
        s.getInt("BRAIN_MAX_BACKEND_CONNECTIONS", 64),
        new SearchDefaults(FusionMethod.fromWire(s.get("BRAIN_FUSION", DEFAULT_FUSION)),
            Weights.parse(s.get("BRAIN_RRF_WEIGHTS", DEFAULT_RRF_WEIGHTS)),
            Weights.parse(s.get("BRAIN_WEIGHTED_WEIGHTS", DEFAULT_WEIGHTED_WEIGHTS))));
  }

  public QueryConfig withPort(int newPort) {
    return new QueryConfig(host, newPort, engines, kafkaBootstrapServers, latencyTopic, index, textTimeout, keywordTimeout,
        vectorTimeout, l1MaxBytes, l1Ttl, l2Ttl, maxConcurrentSearches, maxConcurrentSearchesPerClient, clientIdHeader,
        maxBackendConnections, defaults);
  }

  @Override
  public String toString() {
    return "QueryConfig[" + host + ":" + port + ", " + engines
        + ", index=" + index + ", latencyTopic=" + latencyTopic + ", fusion=" + defaults.fusion() + "]";
  }
}
