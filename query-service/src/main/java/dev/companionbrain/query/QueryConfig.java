package dev.companionbrain.query;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
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
    int windowHits,
    long maxStaleMillis,
    boolean warming,
    boolean judging,
    int windowReserve,
    double auditRate,
    int auditsPerSecond,
    String warmTopic,
    String warmersGroup,
    int maxConcurrentSearches,
    int maxConcurrentSearchesPerClient,
    java.util.OptionalInt fixedComputeLimit,
    long saturatedMaxStaleMillis,
    boolean apiKeysRequired,
    int multiSearchMax,
    int maxBackendConnections,
    java.util.Optional<java.nio.file.Path> judgements,
    boolean queryCorrection,
    dev.companionbrain.core.embed.EmbeddingModel embeddingModel,
    SearchDefaults defaults) {

  public static QueryConfig from(Settings s) {
    return new QueryConfig(
        s.get(Setting.QUERY_HOST),
        s.getInt(Setting.QUERY_PORT, 0),
        EngineAddresses.from(s),
        s.kafkaBootstrapServers(),
        s.get(Setting.LATENCY_TOPIC),
        s.index(),
        Duration.ofMillis(s.getLong(Setting.TEXT_TIMEOUT_MS, 1)),
        Duration.ofMillis(s.getLong(Setting.KEYWORD_TIMEOUT_MS, 1)),
        Duration.ofMillis(s.getLong(Setting.VECTOR_TIMEOUT_MS, 1)),
        s.getLong(Setting.L1_MAX_BYTES, 0),
        Duration.ofSeconds(s.getLong(Setting.L1_TTL_SECONDS, 1)),
        Duration.ofSeconds(s.getLong(Setting.L2_TTL_SECONDS, 1)),
        s.getInt(Setting.CACHE_WINDOW_HITS, SearchQuery.MAX_K),
        s.getLong(Setting.MAX_STALENESS_MS, 0),
        s.getBoolean(Setting.CACHE_WARMING),
        s.getBoolean(Setting.CACHE_JUDGING),
        s.getInt(Setting.CACHE_WINDOW_RESERVE, 0),
        auditRate(s.getDouble(Setting.CACHE_AUDIT_RATE)),
        s.getInt(Setting.CACHE_AUDITS_PER_SECOND, 1),
        s.get(Setting.CACHE_WARM_TOPIC),
        s.get(Setting.CACHE_WARMERS_GROUP),
        s.getInt(Setting.MAX_CONCURRENT_SEARCHES, 1),
        s.getInt(Setting.MAX_CONCURRENT_SEARCHES_PER_CLIENT, 1),
        s.parse(Setting.COMPUTE_LIMIT, QueryConfig::computeLimit),
        s.getLong(Setting.SATURATED_MAX_STALENESS_MS, 0),
        apiKeysRequired(s.get(Setting.API_KEYS)),
        s.getInt(Setting.MULTI_SEARCH_MAX, 1),
        s.getInt(Setting.MAX_BACKEND_CONNECTIONS, 1),
        s.find(Setting.JUDGEMENTS).map(java.nio.file.Path::of),
        s.getBoolean(Setting.QUERY_CORRECTION),
        s.parse(Setting.EMBEDDING_MODEL, dev.companionbrain.core.embed.EmbeddingModel::fromWire),
        new SearchDefaults(s.parse(Setting.FUSION, FusionMethod::fromWire),
            s.parse(Setting.RRF_WEIGHTS, Weights::parse),
            s.parse(Setting.WEIGHTED_WEIGHTS, Weights::parse)));
  }

  private static boolean apiKeysRequired(String value) {
    return switch (value) {
      case "required" -> true;
      case "off" -> false;
      default -> throw new IllegalArgumentException(Setting.API_KEYS.variable() + " is required or off, got '" + value + "'");
    };
  }

  /** {@code adaptive} (empty) or a fixed number of computations at once. */
  private static java.util.OptionalInt computeLimit(String value) {
    if (value.equals("adaptive")) {
      return java.util.OptionalInt.empty();
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1) {
        return java.util.OptionalInt.of(limit);
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException("adaptive or a whole number of at least 1");
  }

  private static double auditRate(double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(Setting.CACHE_AUDIT_RATE.variable() + " must be between 0 and 1, got " + rate);
    }
    return rate;
  }

  /** The same with another staleness bound and warming switch (tests, benchmarks). */
  public QueryConfig withCache(long newMaxStaleMillis, boolean newWarming) {
    return new QueryConfig(host, port, engines, kafkaBootstrapServers, latencyTopic, index, textTimeout, keywordTimeout,
        vectorTimeout, l1MaxBytes, l1Ttl, l2Ttl, windowHits, newMaxStaleMillis, newWarming, judging, windowReserve, auditRate, auditsPerSecond, warmTopic, warmersGroup,
        maxConcurrentSearches, maxConcurrentSearchesPerClient, fixedComputeLimit, saturatedMaxStaleMillis, apiKeysRequired, multiSearchMax, maxBackendConnections, judgements, queryCorrection, embeddingModel, defaults);
  }

  public QueryConfig withPort(int newPort) {
    return new QueryConfig(host, newPort, engines, kafkaBootstrapServers, latencyTopic, index, textTimeout, keywordTimeout,
        vectorTimeout, l1MaxBytes, l1Ttl, l2Ttl, windowHits, maxStaleMillis, warming, judging, windowReserve, auditRate, auditsPerSecond, warmTopic, warmersGroup, maxConcurrentSearches, maxConcurrentSearchesPerClient, fixedComputeLimit, saturatedMaxStaleMillis, apiKeysRequired, multiSearchMax,
        maxBackendConnections, judgements, queryCorrection, embeddingModel, defaults);
  }

  /** The same with judgements read from {@code folder} (tests). */
  public QueryConfig withJudgements(java.nio.file.Path folder) {
    return new QueryConfig(host, port, engines, kafkaBootstrapServers, latencyTopic, index, textTimeout, keywordTimeout,
        vectorTimeout, l1MaxBytes, l1Ttl, l2Ttl, windowHits, maxStaleMillis, warming, judging, windowReserve, auditRate, auditsPerSecond, warmTopic,
        warmersGroup, maxConcurrentSearches, maxConcurrentSearchesPerClient, fixedComputeLimit, saturatedMaxStaleMillis, apiKeysRequired, multiSearchMax,
        maxBackendConnections, java.util.Optional.of(folder), queryCorrection, embeddingModel, defaults);
  }

  @Override
  public String toString() {
    return "QueryConfig[" + host + ":" + port + ", " + engines
        + ", index=" + index + ", latencyTopic=" + latencyTopic + ", fusion=" + defaults.fusion()
        + ", window=" + windowHits + ", maxStaleMs=" + maxStaleMillis + ", warming=" + warming + ", judging=" + judging + ", reserve=" + windowReserve
        + ", auditRate=" + auditRate + ", auditsPerSecond=" + auditsPerSecond + ", computeLimit=" + (fixedComputeLimit.isEmpty() ? "adaptive" : fixedComputeLimit.getAsInt())
        + ", apiKeys=" + (apiKeysRequired ? "required" : "off") + ", queryCorrection=" + queryCorrection + ", model=" + embeddingModel.wireName() + "]";
  }
}
