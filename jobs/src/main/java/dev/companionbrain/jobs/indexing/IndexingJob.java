package dev.companionbrain.jobs.indexing;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.IndexCreator;
import dev.companionbrain.core.index.IndexVersions;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.index.VectorDialect;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka topic {@code documents} → validate (bad → {@code documents.dlq}) → skip unchanged texts →
 * embed (the configured model, batched) → Elasticsearch bulk, Meilisearch tasks, Redis hydration entries, each in
 * batches of 100 or 1 s. The job takes its source and sinks ({@link #build}), so tests swap them.
 */
public final class IndexingJob {
  private static final Logger LOG = LoggerFactory.getLogger(IndexingJob.class);

  /** Where the job writes. */
  public record Sinks(Sink<DeadLetter> deadLetters, Sink<IndexAction> elasticsearch, Sink<IndexAction> meilisearch,
      Sink<IndexAction> redis) {}

  private IndexingJob() {}

  /**
   * Submission on a cluster ({@code flink run -c dev.companionbrain.jobs.indexing.IndexingJob}, or the
   * REST API's {@code entryClass}): program arguments such as {@code --kafka-bootstrap-servers HOST:PORT}
   * over {@code BRAIN_*} environment variables (see {@link IndexingConfig#SETTINGS}). A bad setting
   * fails here, before anything runs, with one line naming it.
   */
  public static void main(String[] args) throws Exception {
    IndexingConfig config = prepare(IndexingConfig.fromArgs(args));
    LOG.info("submitting IndexingJob: {}", config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    wire(env, config);
    env.execute(name(config));
  }

  /**
   * Creates the topics and the indexes if they are missing, and returns {@code config} with its index
   * version resolved ({@link IndexingConfig#resolved}): a new index is made as version 1 behind the
   * alias of its name ({@link IndexVersions}).
   *
   * @throws IllegalStateException when a job that is not a replay would write another version than the
   *     served one (the served version's readers would meet two versions), or the index holds another
   *     model's vectors
   */
  public static IndexingConfig prepare(IndexingConfig config) {
    Topics.ensureDocuments(config.kafkaBootstrapServers(), config.topicReplicationFactor(), config.documentsTopic());
    Topics.ensure(config.kafkaBootstrapServers(), config.topicReplicationFactor(), config.deadLetterTopic(),
        config.generationsTopic());
    VectorDialect dialect;
    IndexingConfig resolved;
    try (RestClient rest = elasticsearchClient(config)) {
      java.util.Optional<Integer> served = IndexVersions.servedVersion(rest, config.index());
      resolved = config.resolved(served);
      String physical = resolved.elasticsearchIndex();
      if (!resolved.replay() && served.isPresent() && served.get() != resolved.indexVersion()) {
        throw new IllegalStateException("index " + config.index() + " serves "
            + IndexVersions.elasticsearch(config.index(), served.get()) + ": a job that writes "
            + physical + " must be a replay (" + Setting.REPLAY.argument() + " true, as ./brain reindex runs it)");
      }
      dialect = IndexCreator.ensureElasticsearch(rest, physical, config.indexReplicas(), config.embeddingModel());
      if (!resolved.replay() && served.isEmpty() && !physical.equals(config.index())) {
        IndexVersions.serve(rest, config.index(), physical);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EngineAddresses engines = config.engines();
    IndexCreator.ensureMeilisearch(new Client(new Config(engines.meilisearchUrl(), engines.meilisearchKey())),
        resolved.meilisearchIndex());
    LOG.info("indexes ready: {} as {} and {} ({})", config.index(), resolved.elasticsearchIndex(), resolved.meilisearchIndex(),
        dialect);
    return resolved;
  }

  /** Checkpointing and the Kafka-to-engines pipeline on {@code env}. */
  public static void wire(StreamExecutionEnvironment env, IndexingConfig config) {
    env.enableCheckpointing(config.checkpointIntervalMillis(), CheckpointingMode.AT_LEAST_ONCE);
    env.getCheckpointConfig().setExternalizedCheckpointCleanup(
        CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);
    env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Math.min(500, config.checkpointIntervalMillis()));
    KafkaSource<SourceRecord> source = KafkaSource.<SourceRecord>builder()
        .setBootstrapServers(config.kafkaBootstrapServers())
        .setTopics(config.documentsTopic())
        .setGroupId(config.consumerGroup())
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
        .setDeserializer(new SourceRecordDeserializer())
        .setProperty("partition.discovery.interval.ms", "10000")
        .build();
    DataStream<SourceRecord> records = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka: " + config.documentsTopic())
        .uid("kafka-documents-source");
    build(records, sinks(config), config.embeddingModel());
  }

  /** The production sinks. */
  public static Sinks sinks(IndexingConfig config) {
    long tolerance = config.engineOutageToleranceMillis();
    Sink<DeadLetter> dlq = KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(config.kafkaBootstrapServers())
        .setRecordSerializer(new DeadLetterSerializer(config.deadLetterTopic()))
        .setKafkaProducerConfig(DeadLetterProducer.tolerating(tolerance))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
    DeadLetterProducer refused = new DeadLetterProducer(config.kafkaBootstrapServers(), config.deadLetterTopic(), tolerance);
    return new Sinks(dlq, new ElasticsearchIndexSink(config, refused), new MeilisearchSink(config, refused),
        new RedisSink(config.engines().redisUri(), config));
  }

  /** The pipeline between a source of raw records and the sinks, embedding with {@code model}. */
  public static void build(DataStream<SourceRecord> records, Sinks sinks, dev.companionbrain.core.embed.EmbeddingModel model) {
    SingleOutputStreamOperator<IndexAction> valid = records
        .process(new ValidateRecords()).name("validate").uid("validate");
    valid.getSideOutput(ValidateRecords.DEAD_LETTERS)
        .sinkTo(sinks.deadLetters()).name("dead letters").uid("dead-letter-sink");
    DataStream<IndexAction> changes = valid
        .keyBy(a -> a.id)
        .process(new SkipUnchangedEmbeddings()).name("skip unchanged embeddings").uid("skip-unchanged-embeddings");
    DataStream<IndexAction> embedded = AsyncDataStream
        .orderedWait(changes, new EmbedDocuments(model), 10, TimeUnit.MINUTES, 256)
        .name("embed (" + model.wireName() + ")").uid("embed");
    // each sink in its own task: a sink waiting for its engine (a bulk, Meilisearch tasks at a checkpoint)
    // must not stall the embedder or the other sinks
    embedded.sinkTo(sinks.elasticsearch()).name("elasticsearch").uid("elasticsearch-sink").disableChaining();
    embedded.sinkTo(sinks.meilisearch()).name("meilisearch").uid("meilisearch-sink").disableChaining();
    // one Redis writer and committer, so one generation per checkpoint whatever the job's parallelism
    // (each committer subtask would publish its own: twice the invalidations, twice the refreshes)
    embedded.sinkTo(sinks.redis()).name("redis").uid("redis-sink").disableChaining().setParallelism(1);
  }

  /** Starts the job on {@code env} without blocking. */
  public static JobClient start(StreamExecutionEnvironment env, IndexingConfig config) throws Exception {
    config = prepare(config);
    wire(env, config);
    return env.executeAsync(name(config));
  }

  /**
   * The job's name: IndexingJob, the one the operator's verbs act on by default; a replay is named
   * after the version it fills, so the two never share a name.
   */
  static String name(IndexingConfig config) {
    return config.replay() ? "IndexingJob replay into " + config.elasticsearchIndex() : "IndexingJob";
  }

  static RestClient elasticsearchClient(IndexingConfig config) {
    return ElasticsearchClients.builder(config.engines(), 0).build();
  }

}
