package dev.companionbrain.jobs.latency;

import dev.companionbrain.core.telemetry.LatencyAlert;
import dev.companionbrain.core.telemetry.LatencyStats;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.jobs.indexing.Topics;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * {@code search.latency} → per endpoint and mode, tumbling event-time windows → p50/p95/p99, error
 * rate and cache hit rate to {@code search.latency.stats} and as Flink gauges; windows over a
 * threshold to {@code search.alerts}. The pipeline ({@link #build}) takes its input stream, so tests
 * feed it directly.
 */
public final class LatencyAlertJob {
  private LatencyAlertJob() {}

  /** Topics, window and thresholds. */
  public record Config(String kafkaBootstrapServers, String latencyTopic, String statsTopic, String alertsTopic,
      String consumerGroup, Duration window, double p95ThresholdMs, double errorRateThreshold, long minCount,
      short topicReplicationFactor) implements Serializable {

    /** Every variable the job reads; {@link #fromArgs} refuses an argument for any other. */
    public static final List<String> SETTINGS = Setting.variables(List.of(Setting.KAFKA_BOOTSTRAP_SERVERS,
        Setting.LATENCY_TOPIC, Setting.LATENCY_STATS_TOPIC, Setting.ALERTS_TOPIC, Setting.LATENCY_GROUP,
        Setting.LATENCY_WINDOW_SECONDS, Setting.ALERT_P95_MS, Setting.ALERT_ERROR_RATE, Setting.ALERT_MIN_REQUESTS,
        Setting.TOPIC_REPLICATION_FACTOR));

    /** Topics with one replica (a single local broker). */
    public Config(String kafkaBootstrapServers, String latencyTopic, String statsTopic, String alertsTopic,
        String consumerGroup, Duration window, double p95ThresholdMs, double errorRateThreshold, long minCount) {
      this(kafkaBootstrapServers, latencyTopic, statsTopic, alertsTopic, consumerGroup, window, p95ThresholdMs,
          errorRateThreshold, minCount, (short) 1);
    }

    /** The program arguments that give a cluster this configuration ({@link #fromArgs} reads them back). */
    public List<String> programArguments() {
      return List.of(
          Setting.KAFKA_BOOTSTRAP_SERVERS.argument(), kafkaBootstrapServers,
          Setting.LATENCY_TOPIC.argument(), latencyTopic,
          Setting.LATENCY_STATS_TOPIC.argument(), statsTopic,
          Setting.ALERTS_TOPIC.argument(), alertsTopic,
          Setting.LATENCY_GROUP.argument(), consumerGroup,
          Setting.LATENCY_WINDOW_SECONDS.argument(), Long.toString(window.toSeconds()),
          Setting.ALERT_P95_MS.argument(), Double.toString(p95ThresholdMs),
          Setting.ALERT_ERROR_RATE.argument(), Double.toString(errorRateThreshold),
          Setting.ALERT_MIN_REQUESTS.argument(), Long.toString(minCount),
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
          s.get(Setting.LATENCY_STATS_TOPIC),
          s.get(Setting.ALERTS_TOPIC),
          s.get(Setting.LATENCY_GROUP),
          Duration.ofSeconds(s.getLong(Setting.LATENCY_WINDOW_SECONDS, 1)),
          s.getDouble(Setting.ALERT_P95_MS),
          s.getDouble(Setting.ALERT_ERROR_RATE),
          s.getLong(Setting.ALERT_MIN_REQUESTS, 0),
          s.topicReplicationFactor());
    }
  }

  /** What the pipeline produces. */
  public record Streams(DataStream<LatencyStats> stats, DataStream<LatencyAlert> alerts) {}

  /**
   * Submission on a cluster (entry class {@code dev.companionbrain.jobs.latency.LatencyAlertJob}):
   * program arguments such as {@code --kafka-bootstrap-servers HOST:PORT} over {@code BRAIN_*}
   * environment variables ({@link Config#SETTINGS}); a bad setting fails here with one line naming it.
   */
  public static void main(String[] args) throws Exception {
    Config config = Config.fromArgs(args);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    ensureTopics(config);
    wire(env, config);
    env.execute("LatencyAlertJob");
  }

  public static JobClient start(StreamExecutionEnvironment env, Config config) throws Exception {
    ensureTopics(config);
    wire(env, config);
    return env.executeAsync("LatencyAlertJob");
  }

  private static void ensureTopics(Config config) {
    Topics.ensure(config.kafkaBootstrapServers(), config.topicReplicationFactor(), config.latencyTopic(),
        config.statsTopic(), config.alertsTopic());
  }

  static void wire(StreamExecutionEnvironment env, Config config) {
    env.enableCheckpointing(10_000, CheckpointingMode.AT_LEAST_ONCE);
    KafkaSource<byte[]> source = Topics.values(config.kafkaBootstrapServers(), config.latencyTopic(),
        config.consumerGroup(), OffsetResetStrategy.EARLIEST);
    DataStream<byte[]> events = env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka: " + config.latencyTopic())
        .uid("kafka-latency-source");
    Streams streams = build(events, config);
    streams.stats().sinkTo(Topics.sink(config.kafkaBootstrapServers(),
            new JsonRecords<LatencyStats>(config.statsTopic(), s -> s.endpoint + "|" + s.mode)))
        .name("latency stats").uid("latency-stats-sink");
    streams.alerts().sinkTo(Topics.sink(config.kafkaBootstrapServers(),
            new JsonRecords<LatencyAlert>(config.alertsTopic(), a -> a.endpoint + "|" + a.mode)))
        .name("alerts").uid("alerts-sink");
  }

  /** Parse, window by endpoint and mode, compute figures, apply the alert rules. */
  public static Streams build(DataStream<byte[]> raw, Config config) {
    DataStream<LatencySample> events = raw
        .flatMap(new ParseEvents()).name("parse latency events").uid("parse-latency-events")
        .assignTimestampsAndWatermarks(WatermarkStrategy.<LatencySample>forBoundedOutOfOrderness(Duration.ofSeconds(2))
            .withTimestampAssigner((e, ts) -> e.timestamp)
            .withIdleness(Duration.ofSeconds(10)))
        .name("event time").uid("latency-event-time");
    DataStream<LatencyStats> stats = events
        .keyBy(LatencySample::key)
        .window(TumblingEventTimeWindows.of(config.window()))
        .aggregate(new WindowedLatency.Aggregate(), new WindowedLatency.Emit())
        .name("windowed latency").uid("windowed-latency");
    DataStream<LatencyAlert> alerts = stats
        .flatMap(new AlertRules(config.p95ThresholdMs(), config.errorRateThreshold(), config.minCount()))
        .name("alert rules").uid("alert-rules");
    return new Streams(stats, alerts);
  }

  /** Unreadable events are counted ({@code latency_events_unreadable}) and skipped: telemetry never stops the job. */
  static final class ParseEvents extends RichFlatMapFunction<byte[], LatencySample> {
    private transient Counter unreadable;

    @Override
    public void open(OpenContext openContext) {
      unreadable = getRuntimeContext().getMetricGroup().counter("latency_events_unreadable");
    }

    @Override
    public void flatMap(byte[] value, Collector<LatencySample> out) {
      LatencySample e = value == null ? null : LatencySample.parse(value);
      if (e == null) {
        unreadable.inc();
      } else {
        out.collect(e);
      }
    }
  }
}
