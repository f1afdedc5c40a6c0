package dev.companionbrain.jobs.warming;

import dev.companionbrain.core.cache.WarmRequest;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.jobs.indexing.Topics;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * {@code search.latency} (the windows of successful searches) and {@code index.generations} → the
 * most asked windows of the last {@code BRAIN_WARM_WINDOW_SECONDS} ({@link PopularWindows}, a
 * Space-Saving sketch per 10 s of event time) → at each new generation, the top {@code
 * BRAIN_WARM_TOP_K} as {@link WarmRequest}s to {@code cache.warm}, most asked first; the query
 * services compute them into the shared cache before users ask. The pipeline ({@link #build}) takes
 * its two input streams, so tests feed it directly.
 */
public final class CacheWarmingJob {
  private CacheWarmingJob() {}

  /** Topics, group, how many windows and over how long. */
  public record Config(String kafkaBootstrapServers, String latencyTopic, String generationsTopic, String warmTopic,
      String consumerGroup, int topK, Duration window, short topicReplicationFactor) implements Serializable {

    /** Every variable the job reads; {@link #fromArgs} refuses an argument for any other. */
    public static final List<String> SETTINGS = Setting.variables(List.of(Setting.KAFKA_BOOTSTRAP_SERVERS,
        Setting.LATENCY_TOPIC, Setting.GENERATIONS_TOPIC, Setting.CACHE_WARM_TOPIC, Setting.WARMING_GROUP,
        Setting.WARM_TOP_K, Setting.WARM_WINDOW_SECONDS, Setting.TOPIC_REPLICATION_FACTOR));

    /** Topics with one replica (a single local broker). */
    public Config(String kafkaBootstrapServers, String latencyTopic, String generationsTopic, String warmTopic,
        String consumerGroup, int topK, Duration window) {
      this(kafkaBootstrapServers, latencyTopic, generationsTopic, warmTopic, consumerGroup, topK, window, (short) 1);
    }

    /** The program arguments that give a cluster this configuration ({@link #fromArgs} reads them back). */
    public List<String> programArguments() {
      return List.of(
          Setting.KAFKA_BOOTSTRAP_SERVERS.argument(), kafkaBootstrapServers,
          Setting.LATENCY_TOPIC.argument(), latencyTopic,
          Setting.GENERATIONS_TOPIC.argument(), generationsTopic,
          Setting.CACHE_WARM_TOPIC.argument(), warmTopic,
          Setting.WARMING_GROUP.argument(), consumerGroup,
          Setting.WARM_TOP_K.argument(), Integer.toString(topK),
          Setting.WARM_WINDOW_SECONDS.argument(), Long.toString(window.toSeconds()),
          Setting.TOPIC_REPLICATION_FACTOR.argument(), Short.toString(topicReplicationFactor));
    }

    /** From program arguments over the environment ({@link Settings} says how they map). */
    public static Config fromArgs(String[] args) {
      return from(Settings.fromArgsAndEnvironment(args, SETTINGS));
    }

    public static Config from(Settings s) {
      return new Config(
          s.kafkaBootstrapServers(),
          s.get(Setting.LATENCY_TOPIC),
          s.get(Setting.GENERATIONS_TOPIC),
          s.get(Setting.CACHE_WARM_TOPIC),
          s.get(Setting.WARMING_GROUP),
          s.getInt(Setting.WARM_TOP_K, 1),
          Duration.ofSeconds(s.getLong(Setting.WARM_WINDOW_SECONDS, 1)),
          s.topicReplicationFactor());
    }
  }

  /**
   * Submission on a cluster (entry class {@code dev.companionbrain.jobs.warming.CacheWarmingJob}):
   * program arguments such as {@code --warm-top-k 100} over the environment ({@link Config#SETTINGS});
   * a bad setting fails here with one line naming it.
   */
  public static void main(String[] args) throws Exception {
    Config config = Config.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1); // one slot: the sketch runs on one subtask, and a search rate is little work to read
    ensureTopics(config);
    wire(env, config);
    env.execute("CacheWarmingJob");
  }

  public static JobClient start(StreamExecutionEnvironment env, Config config) throws Exception {
    ensureTopics(config);
    wire(env, config);
    return env.executeAsync("CacheWarmingJob");
  }

  private static void ensureTopics(Config config) {
    Topics.ensure(config.kafkaBootstrapServers(), config.topicReplicationFactor(), config.latencyTopic(),
        config.generationsTopic(), config.warmTopic());
  }

  /**
   * The Kafka sources and sink. Latency events are read from the group's offsets, else from the
   * earliest (counts are by event time: old events fall out of the window by themselves); notices
   * from the group's offsets, else from the latest (the generations announced before the job first
   * ran are not worth warming).
   */
  static void wire(StreamExecutionEnvironment env, Config config) {
    env.enableCheckpointing(10_000, CheckpointingMode.AT_LEAST_ONCE);
    DataStream<byte[]> events = env.fromSource(source(config, config.latencyTopic(), OffsetResetStrategy.EARLIEST),
        WatermarkStrategy.noWatermarks(), "kafka: " + config.latencyTopic()).uid("kafka-latency-source");
    DataStream<byte[]> notices = env.fromSource(source(config, config.generationsTopic(), OffsetResetStrategy.LATEST),
        WatermarkStrategy.noWatermarks(), "kafka: " + config.generationsTopic()).uid("kafka-generations-source");
    build(events, notices, config).sinkTo(sink(config)).name("warm requests").uid("warm-requests-sink");
  }

  static Source<byte[], ?, ?> source(Config config, String topic, OffsetResetStrategy otherwise) {
    return Topics.values(config.kafkaBootstrapServers(), topic, config.consumerGroup(), otherwise);
  }

  static Sink<WarmRecord> sink(Config config) {
    return Topics.sink(config.kafkaBootstrapServers(), new WarmRequests(config.warmTopic()));
  }

  /** Parse both inputs, count the windows, emit the most asked at each new generation. */
  public static DataStream<WarmRecord> build(DataStream<byte[]> latencyEvents, DataStream<byte[]> notices, Config config) {
    DataStream<Signal> requests = latencyEvents
        .flatMap(new Parse(false)).name("windows of searches").uid("parse-latency-windows");
    DataStream<Signal> generations = notices
        .flatMap(new Parse(true)).name("generations").uid("parse-generation-notices");
    return requests.union(generations)
        .process(new PopularWindows(config.topK(), config.window().toMillis()))
        .name("popular windows").uid("popular-windows")
        .setParallelism(1).setMaxParallelism(1);
  }

  /**
   * Reads a latency event's windows (other events are skipped; the latency alert job counts the
   * unreadable ones) or a notice's generation (unreadable notices are counted, {@code
   * generation_notices_unreadable}, and skipped).
   */
  static final class Parse extends RichFlatMapFunction<byte[], Signal> {
    private final boolean notices;
    private transient Counter unreadable;

    Parse(boolean notices) {
      this.notices = notices;
    }

    @Override
    public void open(OpenContext openContext) {
      unreadable = getRuntimeContext().getMetricGroup().counter("generation_notices_unreadable");
    }

    @Override
    public void flatMap(byte[] value, Collector<Signal> out) {
      if (!notices) {
        Signal.fromLatencyEvent(value).forEach(out::collect);
        return;
      }
      Signal signal = Signal.fromNotice(value);
      if (signal != null) {
        out.collect(signal);
      } else {
        unreadable.inc();
      }
    }
  }
}
