package dev.companionbrain.core.config;

import java.util.List;

/**
 * Every setting of the product, in one place: its environment variable ({@code BRAIN_} and the
 * constant's name), its local default and what it means. Every configuration reads its settings
 * through {@link Settings} with these constants, so a name or a default is written once.
 * docs/CONFIGURATION.md is this table, and a test keeps the two equal.
 */
public enum Setting {
  // where the engines are
  KAFKA_BOOTSTRAP_SERVERS("127.0.0.1:9092", "Kafka brokers, host:port[,host:port]"),
  ELASTICSEARCH_URL("http://127.0.0.1:9200", "the Elasticsearch API (Elasticsearch 7.17 or OpenSearch 2)"),
  ELASTICSEARCH_USERNAME(null, "Elasticsearch login, when the cluster has security on"),
  ELASTICSEARCH_PASSWORD(null, "its password (a secret)"),
  MEILISEARCH_URL("http://127.0.0.1:7700", "Meilisearch"),
  MEILISEARCH_KEY(null, "the Meilisearch key (a secret): the master key for the indexing job, a search-only key for the query service"),
  MEILISEARCH_KEY_FILE(null, "a file holding the Meilisearch key, read when BRAIN_MEILISEARCH_KEY is not set (a mounted secret)"),
  REDIS_URI("redis://127.0.0.1:6379", "Redis, redis://[user:password@]host:port; a Redis Cluster, several seeds: redis://[user:password@]host:port,host:port[,...] (a password in it is a secret)"),
  INDEX("documents", "the index name, the same in Elasticsearch (an alias of the served version, <index>_vN) and Meilisearch"),

  // the indexing job
  DOCUMENTS_TOPIC("documents", "the topic producers write documents to"),
  DLQ_TOPIC("documents.dlq", "the dead-letter topic of refused records"),
  INDEXING_GROUP("brain-indexing", "the indexing job's Kafka consumer group"),
  BATCH_SIZE("100", "documents per bulk request and per Meilisearch task"),
  BATCH_MAX_WAIT_MS("1000", "the longest a batch waits to fill up"),
  CHECKPOINT_INTERVAL_MS("1000", "the indexing job's checkpoint interval; documents are searchable after their checkpoint (1 s keeps freshness through the service near 1.5 s; BENCHMARKS.md)"),
  GENERATIONS_TOPIC("index.generations", "where the indexing job announces each new index generation"),
  TOPIC_REPLICATION_FACTOR("1", "replication factor of the topics a job creates"),
  INDEX_REPLICAS("0", "replicas of the Elasticsearch index the indexing job creates"),
  INDEX_VERSION("served", "the version of the index the indexing job writes: served (the one BRAIN_INDEX names now; a new index starts as <index>_v1 behind the alias <index>, one made before versions is version 0, <index> itself) or a number (./brain reindex gives its replay the next one)"),
  REPLAY("false", "true: the indexing job fills a version that is not served yet (its own indexes in both engines; no Redis writes, no generations): ./brain reindex's replay"),
  GENERATION_CHANGES_MAX("1000", "the most document ids a generation notice lists; a generation that changed more lists none (the query services then drop every cached window)"),
  ENGINE_OUTAGE_TOLERANCE_MS("120000", "how long the indexing job holds back and retries while an engine is slow or away before it fails, once, naming it"),

  // the latency alert job
  LATENCY_TOPIC("search.latency", "the query service's latency events"),
  LATENCY_STATS_TOPIC("search.latency.stats", "windowed latency figures"),
  ALERTS_TOPIC("search.alerts", "alerts of windows over a threshold"),
  LATENCY_GROUP("brain-latency-alerts", "the latency alert job's Kafka consumer group"),
  LATENCY_WINDOW_SECONDS("10", "the event-time window of the latency figures"),
  ALERT_P95_MS("500", "alert when a window's p95 latency is over this"),
  ALERT_ERROR_RATE("0.05", "alert when a window's share of 5xx answers is over this"),
  ALERT_MIN_REQUESTS("20", "windows with fewer requests raise no alert"),

  // the cache warming job
  CACHE_WARM_TOPIC("cache.warm", "the popular requests to compute for each new generation (warming job to query services)"),
  WARMING_GROUP("brain-cache-warming", "the cache warming job's Kafka consumer group"),
  WARM_TOP_K("10", "how many of the most asked requests the warming job re-computes for each new generation (each costs one search of every retriever; BENCHMARKS.md)"),
  WARM_WINDOW_SECONDS("300", "the sliding window over which the warming job counts requests"),

  // the query service
  QUERY_HOST("127.0.0.1", "the address the query service listens on (0.0.0.0 in a container)"),
  QUERY_PORT("8080", "its port"),
  TEXT_TIMEOUT_MS("500", "how long a search waits for Meilisearch"),
  KEYWORD_TIMEOUT_MS("500", "how long a search waits for BM25"),
  VECTOR_TIMEOUT_MS("800", "how long a search waits for the query embedding and kNN"),
  L1_MAX_BYTES("104857600", "size of the in-process page cache (L1)"),
  L1_TTL_SECONDS("300", "how long L1 keeps a page"),
  L2_TTL_SECONDS("3600", "how long Redis (L2) keeps a page"),
  CACHE_WINDOW_HITS("100", "fused hits each cached candidate window holds; pages are cut from it (deeper pages use a window twice or more as large)"),
  MAX_STALENESS_MS("500", "how long after its generation was superseded a cached window may still be served while one refresh runs; 0 serves only current windows"),
  CACHE_WARMING("true", "whether this instance computes the warming job's popular requests (true or false)"),
  /**
   * bge-small-en-v1.5, chosen by {@code ./brain eval} on Cranfield's tuning half (docs/RELEVANCE.md):
   * its best hybrid scored 0.453 / 0.453 (clean / typo'd) against MiniLM's best, 0.432 / 0.431.
   */
  EMBEDDING_MODEL("bge-small-en-v1.5", "the sentence model that embeds documents (the indexing job) and queries (the query service): all-minilm-l6-v2 or bge-small-en-v1.5. An index records the model of its vectors: a job started with another refuses to start, the query service embeds with the index's (this one only while there is no index)"),
  QUERY_CORRECTION("true", "whether a query's words the index does not contain (typos) are corrected to the index's most similar word within two edits before the search and its cache key (true or false); a request can switch it off with correct=false, and a tenant's key is never corrected"),
  CACHE_JUDGING("true", "whether each cached window is judged against what a new generation changed (carried, patched or recomputed); false: every generation makes every window stale"),
  CACHE_WINDOW_RESERVE("20", "hits past a window's size each retriever fetches and the window keeps, so a window that loses hits to deletes and updates can still be patched exactly"),
  CACHE_AUDIT_RATE("0.01", "share of the cached answers computed afresh in the background and compared (brain_cache_audits_total); 0 audits none"),
  CACHE_AUDITS_PER_SECOND("2", "the most cached answers audited per second, whatever BRAIN_CACHE_AUDIT_RATE samples (an audit computes a window afresh on the engines: without a bound, thousands of cached answers a second kept one computation always running); a whole number of at least 1"),
  CACHE_WARMERS_GROUP("brain-cache-warmers", "the query services' consumer group of the warm requests"),
  MAX_CONCURRENT_SEARCHES("64", "searches running at once in one instance; more get 429"),
  MAX_CONCURRENT_SEARCHES_PER_CLIENT("16", "searches running at once for one client; more get 429"),
  COMPUTE_LIMIT("adaptive", "how many window computations (cache misses, no-cache searches, refreshes, warming) run at once in one instance: adaptive follows their measured latency (Netflix's gradient limit, from 2 up to BRAIN_MAX_CONCURRENT_SEARCHES), a number fixes it. A search that finds it reached is served a stale cached window (within BRAIN_SATURATED_MAX_STALENESS_MS) or answered 429 at once; refreshes and warming run only while half of it is free"),
  SATURATED_MAX_STALENESS_MS("30000", "when the computations are at their limit, how long after its generation was superseded a cached window may still be served instead of a 429 (stale-if-error, RFC 5861); a value below BRAIN_MAX_STALENESS_MS means BRAIN_MAX_STALENESS_MS"),
  API_KEYS("required", "whether every endpoint but /health/live needs an API key, `Authorization: Bearer <key>` (required or off; off: anyone who reaches the port may search everything, and a client is its remote address). Keys are made with `brain keys create`"),
  MULTI_SEARCH_MAX("50", "the most searches one POST /multi-search holds"),
  MAX_BACKEND_CONNECTIONS("64", "pooled connections to each engine"),
  JUDGEMENTS(null, "a test collection's folder, in a layout `brain eval` reads (docs/RELEVANCE.md): the workbench's compare view marks its relevant hits and scores nDCG@10 for its judged queries (GET /judgements); none when not set"),
  /**
   * RRF (k = 60), chosen by {@code ./brain eval} on Cranfield with bge-small-en-v1.5 (docs/RELEVANCE.md):
   * tuned on half of the judged queries, judged on the other half, where it beats the best single
   * retriever (kNN) on clean (0.420 vs 0.390) and typo'd queries (0.418 vs 0.391, typos corrected).
   * Its best point led the best weighted sum on the tuning half by 0.0075, more than the 0.006 two
   * runs differ by (the weighted sum wins a tie).
   */
  FUSION("rrf", "how a hybrid search fuses the lists when a request does not say: weighted or rrf"),
  /**
   * The weighted sum's best point on Cranfield's tuning half with bge-small-en-v1.5 (0.447 / 0.444): the
   * vector retriever leads, BM25 adds exact-term precision, Meilisearch a little.
   */
  WEIGHTED_WEIGHTS("text:0.05,keyword:0.2,vector:1", "the weighted sum's default weights"),
  /**
   * The sweep's best RRF point (k = 60) with bge-small-en-v1.5: the vector retriever leads, BM25 adds a
   * third of its weight, Meilisearch a little (alone 0.09: it reads only the first 10 query words).
   */
  RRF_WEIGHTS("text:0.1,keyword:0.5,vector:1.5", "RRF's default weights"),

  // the brain command
  QUERY_URL(null, "the query service `brain search` asks; without it, the one `brain up` runs"),
  API_KEY(null, "the API key `brain search` sends (a secret); without it, the one `brain up` printed"),
  FLINK_URL(null, "the Flink REST address the `brain jobs` verbs use; without it, the cluster `brain up` runs"),
  CACHE_DIR("~/.cache/companion-brain", "where `brain` keeps the Meilisearch binary and npm tools it fetched");

  /** The settings that say where the engines are: the indexing job and the query service both read them. */
  public static final List<Setting> ENGINES = List.of(KAFKA_BOOTSTRAP_SERVERS, ELASTICSEARCH_URL, ELASTICSEARCH_USERNAME,
      ELASTICSEARCH_PASSWORD, MEILISEARCH_URL, MEILISEARCH_KEY, MEILISEARCH_KEY_FILE, REDIS_URI, INDEX);

  private final String defaultValue;
  private final String meaning;

  Setting(String defaultValue, String meaning) {
    this.defaultValue = defaultValue;
    this.meaning = meaning;
  }

  /** The environment variable, e.g. {@code BRAIN_KAFKA_BOOTSTRAP_SERVERS}. */
  public String variable() {
    return "BRAIN_" + name();
  }

  /** The program argument of the Flink jobs, e.g. {@code --kafka-bootstrap-servers} ({@link Settings#argumentName}). */
  public String argument() {
    return Settings.argumentName(variable());
  }

  /** The local default, or null when there is none. */
  public String defaultValue() {
    return defaultValue;
  }

  public String meaning() {
    return meaning;
  }

  /** The variables of {@code settings}, for {@link Settings#fromArgsAndEnvironment}. */
  public static List<String> variables(List<Setting> settings) {
    return settings.stream().map(Setting::variable).toList();
  }
}
