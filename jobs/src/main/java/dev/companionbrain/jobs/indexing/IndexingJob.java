package dev.companionbrain.jobs.indexing;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.core.index.ElasticsearchClients;
import dev.companionbrain.core.index.IndexCreator;
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
    IndexingConfig config = IndexingConfig.fromArgs(args);
    LOG.info("submitting IndexingJob: {}", config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    prepare(config);
    wire(env, config);
    env.execute("IndexingJob");
  }

  /** Creates the indexes if they are missing. */
  public static VectorDialect prepare(IndexingConfig config) {
    Topics.ensure(config.kafkaBootstrapServers(), config.topicReplicationFactor(), config.documentsTopic(),
        config.deadLetterTopic(), config.generationsTopic());
    VectorDialect dialect;
    try (RestClient rest = elasticsearchClient(config)) {
      dialect = IndexCreator.ensureElasticsearch(rest, config.index(), config.indexReplicas(), config.embeddingModel());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EngineAddresses engines = config.engines();
    IndexCreator.ensureMeilisearch(new Client(new Config(engines.meilisearchUrl(), engines.meilisearchKey())), config.index());
    LOG.info("indexes ready: {} ({})", config.index(), dialect);
    return dialect;
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
    prepare(config);
    wire(env, config);
    return env.executeAsync("IndexingJob");
  }

  static RestClient elasticsearchClient(IndexingConfig config) {
    return ElasticsearchClients.builder(config.engines(), 0).build();
  }

}
