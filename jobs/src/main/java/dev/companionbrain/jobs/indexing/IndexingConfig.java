package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.core.index.RetryPolicy;
import dev.companionbrain.core.embed.EmbeddingModel;
import java.io.Serializable;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the indexing job reads and writes; from program arguments, then environment variables, then
 * local defaults ({@link Settings} maps {@code BRAIN_BATCH_SIZE} to {@code --batch-size}, and so on).
 * {@link #toString()} never shows secrets.
 *
 * @param generationsTopic where the job announces each new index generation ({@link
 *     dev.companionbrain.core.cache.GenerationNotice})
 * @param topicReplicationFactor replication factor of the topics the job creates when missing
 * @param indexReplicas replicas of the Elasticsearch index the job creates when missing
 * @param generationChangesMax the most document ids a generation notice lists; a generation that
 *     changed more lists none
 * @param indexVersion the version of the index the job writes ({@link IndexVersions}): {@link #SERVED},
 *     the one the index's name serves when the job starts ({@link #resolved}), or a number
 * @param replay whether the job fills a version that is not served yet: its own indexes in both engines, and
 *     nothing in Redis (no hydration entries, no generations), so that the served version's readers see
 *     nothing of it until the switch
 */
public record IndexingConfig(
    String kafkaBootstrapServers,
    String documentsTopic,
    String deadLetterTopic,
    String generationsTopic,
    String consumerGroup,
    EngineAddresses engines,
    String index,
    int batchSize,
    long maxBatchWaitMillis,
    long checkpointIntervalMillis,
    short topicReplicationFactor,
    int indexReplicas,
    long engineOutageToleranceMillis,
    int generationChangesMax,
    EmbeddingModel embeddingModel,
    int indexVersion,
    boolean replay) implements Serializable {

  /** {@link #indexVersion} of a job that writes the version its index's name serves when it starts. */
  public static final int SERVED = IndexVersions.SERVED;

  /** Every variable the job reads; {@link #fromArgs} refuses an argument for any other. */
  public static final List<String> SETTINGS = Setting.variables(Stream.concat(Setting.ENGINES.stream(), Stream.of(
      Setting.DOCUMENTS_TOPIC, Setting.DLQ_TOPIC, Setting.GENERATIONS_TOPIC, Setting.INDEXING_GROUP, Setting.BATCH_SIZE, Setting.BATCH_MAX_WAIT_MS,
      Setting.CHECKPOINT_INTERVAL_MS, Setting.TOPIC_REPLICATION_FACTOR, Setting.INDEX_REPLICAS,
      Setting.ENGINE_OUTAGE_TOLERANCE_MS, Setting.GENERATION_CHANGES_MAX, Setting.EMBEDDING_MODEL, Setting.INDEX_VERSION,
      Setting.REPLAY)).toList());

  /** A configuration of the version its index serves, not a replay. */
  public IndexingConfig(String kafkaBootstrapServers, String documentsTopic, String deadLetterTopic, String generationsTopic,
      String consumerGroup, EngineAddresses engines, String index, int batchSize, long maxBatchWaitMillis,
      long checkpointIntervalMillis, short topicReplicationFactor, int indexReplicas, long engineOutageToleranceMillis,
      int generationChangesMax, EmbeddingModel embeddingModel) {
    this(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, consumerGroup, engines, index, batchSize,
        maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas, engineOutageToleranceMillis,
        generationChangesMax, embeddingModel, SERVED, false);
  }

  public IndexingConfig {
    if (indexVersion < SERVED) {
      throw new IllegalArgumentException("an index version is served or 0 or more, not " + indexVersion);
    }
    if (replay && indexVersion == SERVED) {
      throw new IllegalArgumentException("a replay fills a version of its own: give it a number, not served");
    }
  }

  /**
   * Local topics and index (one replica of each topic, none of the index, generations announced on the
   * catalogue's {@link Setting#GENERATIONS_TOPIC}), the default outage tolerance and bound of listed
   * changes.
   */
  public IndexingConfig(String kafkaBootstrapServers, String documentsTopic, String deadLetterTopic, String consumerGroup,
      EngineAddresses engines, String index, int batchSize, long maxBatchWaitMillis, long checkpointIntervalMillis) {
    this(kafkaBootstrapServers, documentsTopic, deadLetterTopic, Setting.GENERATIONS_TOPIC.defaultValue(), consumerGroup,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, (short) 1, 0,
        RetryPolicy.DEFAULT_TOLERANCE_MILLIS, Integer.parseInt(Setting.GENERATION_CHANGES_MAX.defaultValue()),
        EmbeddingModel.catalogueDefault());
  }

  /**
   * Topics, consumer group and index all named after {@code namespace} ({@code <ns>-documents}, {@code
   * <ns>-documents.dlq}, {@code <ns>-index.generations}, group {@code <ns>-group}, index {@code <ns>}),
   * batches of 100 or 1 s: a run that meets no other on a shared stack (the tests give each their own).
   */
  public static IndexingConfig inNamespace(String namespace, String kafkaBootstrapServers, EngineAddresses engines,
      long checkpointIntervalMillis) {
    return new IndexingConfig(kafkaBootstrapServers, namespace + "-documents", namespace + "-documents.dlq",
        namespace + "-group", engines, namespace, 100, 1000, checkpointIntervalMillis)
        .withGenerationsTopic(namespace + "-index.generations");
  }

  /** The same, waiting {@code millis} for an engine that is away before failing (see docs/FAULTS.md). */
  public IndexingConfig withEngineOutageTolerance(long millis) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, consumerGroup,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        millis, generationChangesMax, embeddingModel, indexVersion, replay);
  }

  /** The same, announcing new index generations on {@code topic}. */
  public IndexingConfig withGenerationsTopic(String topic) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, topic, consumerGroup, engines,
        index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        engineOutageToleranceMillis, generationChangesMax, embeddingModel, indexVersion, replay);
  }

  /** The same, listing at most {@code max} changed ids in a generation notice. */
  public IndexingConfig withGenerationChangesMax(int max) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, consumerGroup,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        engineOutageToleranceMillis, max, embeddingModel, indexVersion, replay);
  }

  /** The same, embedding with {@code model}. */
  public IndexingConfig withEmbeddingModel(EmbeddingModel model) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, consumerGroup,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        engineOutageToleranceMillis, generationChangesMax, model, indexVersion, replay);
  }

  /** The same, writing {@code version} of the index, a replay of it or not. */
  public IndexingConfig withIndexVersion(int version, boolean asReplay) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, consumerGroup,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        engineOutageToleranceMillis, generationChangesMax, embeddingModel, version, asReplay);
  }

  /** The same, in consumer group {@code group}. */
  public IndexingConfig withConsumerGroup(String group) {
    return new IndexingConfig(kafkaBootstrapServers, documentsTopic, deadLetterTopic, generationsTopic, group,
        engines, index, batchSize, maxBatchWaitMillis, checkpointIntervalMillis, topicReplicationFactor, indexReplicas,
        engineOutageToleranceMillis, generationChangesMax, embeddingModel, indexVersion, replay);
  }

  /**
   * The same with {@link #SERVED} made a number: {@code served}, the version the name serves now
   * ({@link IndexVersions#servedVersion}; empty when there is none yet: version 1 is then made).
   */
  public IndexingConfig resolved(java.util.Optional<Integer> served) {
    return indexVersion != SERVED ? this : withIndexVersion(served.orElse(1), false);
  }

  /** The Elasticsearch index this job writes ({@link #resolved} first). */
  public String elasticsearchIndex() {
    if (indexVersion == SERVED) {
      throw new IllegalStateException("the version of index " + index + " is not resolved yet");
    }
    return IndexVersions.elasticsearch(index, indexVersion);
  }

  /** The Meilisearch index this job writes: its version's ({@link IndexVersions#meilisearch}). */
  public String meilisearchIndex() {
    return IndexVersions.meilisearch(index, indexVersion);
  }

  /** From program arguments over the environment; a bad or unknown setting throws with one line naming it. */
  public static IndexingConfig fromArgs(String[] args) {
    return from(Settings.fromArgsAndEnvironment(args, SETTINGS));
  }

  public static IndexingConfig from(Settings s) {
    return new IndexingConfig(
        s.kafkaBootstrapServers(),
        s.get(Setting.DOCUMENTS_TOPIC),
        s.get(Setting.DLQ_TOPIC),
        s.get(Setting.GENERATIONS_TOPIC),
        s.get(Setting.INDEXING_GROUP),
        EngineAddresses.from(s),
        s.index(),
        s.getInt(Setting.BATCH_SIZE, 1),
        s.getLong(Setting.BATCH_MAX_WAIT_MS, 1),
        s.getLong(Setting.CHECKPOINT_INTERVAL_MS, 10),
        s.topicReplicationFactor(),
        s.indexReplicas(),
        s.getLong(Setting.ENGINE_OUTAGE_TOLERANCE_MS, 1),
        s.getInt(Setting.GENERATION_CHANGES_MAX, 0),
        s.parse(Setting.EMBEDDING_MODEL, EmbeddingModel::fromWire),
        s.parse(Setting.INDEX_VERSION, IndexingConfig::version),
        s.parse(Setting.REPLAY, IndexingConfig::bool));
  }

  /** {@code served} or a version number, as {@link Setting#INDEX_VERSION} is written. */
  static int version(String written) {
    if (written.equals("served")) {
      return SERVED;
    }
    int version = Integer.parseInt(written);
    if (version < 0) {
      throw new IllegalArgumentException("must be served or a number 0 or more");
    }
    return version;
  }

  private static boolean bool(String written) {
    if (!written.equals("true") && !written.equals("false")) {
      throw new IllegalArgumentException("must be true or false");
    }
    return Boolean.parseBoolean(written);
  }

  /**
   * The program arguments that give a cluster this configuration ({@link #fromArgs} reads them back).
   * Secrets are left out: the Elasticsearch password and the Meilisearch key go in the cluster's
   * environment ({@code BRAIN_ELASTICSEARCH_PASSWORD}, {@code BRAIN_MEILISEARCH_KEY}).
   */
  public List<String> programArguments() {
    List<String> args = new java.util.ArrayList<>(List.of(
        Setting.KAFKA_BOOTSTRAP_SERVERS.argument(), kafkaBootstrapServers,
        Setting.DOCUMENTS_TOPIC.argument(), documentsTopic,
        Setting.DLQ_TOPIC.argument(), deadLetterTopic,
        Setting.GENERATIONS_TOPIC.argument(), generationsTopic,
        Setting.INDEXING_GROUP.argument(), consumerGroup,
        Setting.ELASTICSEARCH_URL.argument(), engines.elasticsearchUrl(),
        Setting.MEILISEARCH_URL.argument(), engines.meilisearchUrl(),
        Setting.REDIS_URI.argument(), engines.redisUri(),
        Setting.INDEX.argument(), index,
        Setting.BATCH_SIZE.argument(), Integer.toString(batchSize),
        Setting.BATCH_MAX_WAIT_MS.argument(), Long.toString(maxBatchWaitMillis),
        Setting.CHECKPOINT_INTERVAL_MS.argument(), Long.toString(checkpointIntervalMillis),
        Setting.TOPIC_REPLICATION_FACTOR.argument(), Short.toString(topicReplicationFactor),
        Setting.INDEX_REPLICAS.argument(), Integer.toString(indexReplicas),
        Setting.ENGINE_OUTAGE_TOLERANCE_MS.argument(), Long.toString(engineOutageToleranceMillis),
        Setting.GENERATION_CHANGES_MAX.argument(), Integer.toString(generationChangesMax),
        Setting.EMBEDDING_MODEL.argument(), embeddingModel.wireName(),
        Setting.INDEX_VERSION.argument(), indexVersion == SERVED ? "served" : Integer.toString(indexVersion),
        Setting.REPLAY.argument(), Boolean.toString(replay)));
    if (engines.elasticsearchUsername() != null) {
      args.addAll(List.of(Setting.ELASTICSEARCH_USERNAME.argument(), engines.elasticsearchUsername()));
    }
    return args;
  }

  @Override
  public String toString() {
    return "IndexingConfig[kafka=" + kafkaBootstrapServers + ", topic=" + documentsTopic + ", dlq=" + deadLetterTopic
        + ", generations=" + generationsTopic
        + ", " + engines + ", index=" + index + " version " + (indexVersion == SERVED ? "served" : indexVersion)
        + (replay ? " (replay)" : "")
        + ", batch=" + batchSize + "/" + maxBatchWaitMillis + "ms, checkpoints every " + checkpointIntervalMillis + "ms, engine outage tolerance " + engineOutageToleranceMillis + "ms"
        + ", notices list up to " + generationChangesMax + " changes, model " + embeddingModel.wireName() + "]";
  }
}
