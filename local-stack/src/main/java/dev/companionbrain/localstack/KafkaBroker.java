package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** A single-node KRaft Kafka broker (combined broker + controller) in a child JVM. */
final class KafkaBroker implements AutoCloseable {
  private final ChildProcess process;
  final int port;

  private KafkaBroker(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  static KafkaBroker start(Path dir) {
    int[] ports = Ports.free(2);
    int port = ports[0];
    int controllerPort = ports[1];
    Path config = dir.resolve("server.properties");
    String properties = String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=2",
        "auto.create.topics.enable=true",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=2",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=2",
        "group.initial.rebalance.delay.ms=0",
        "log.flush.interval.messages=1000000",
        "") ;
    try {
      Files.writeString(config, properties);
      Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
          "rootLogger.level=warn", "rootLogger.appenderRef.out.ref=out",
          "appender.out.type=Console", "appender.out.name=out", "appender.out.layout.type=PatternLayout",
          "appender.out.layout.pattern=%d %p %c{1} %m%n", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> classpath = ChildJvm.classpath("kafka-node");
    List<String> jvm = List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "-Djava.awt.headless=true");
    String clusterId = clusterId(new SecureRandom());
    ChildProcess.runToCompletion("kafka storage format",
        ChildJvm.command(classpath, jvm, "kafka.tools.StorageTool",
            List.of("format", "--cluster-id=" + clusterId, "--config=" + config)),
        dir, dir.resolve("format.log"), 60);
    ChildProcess process = ChildProcess.start("kafka",
        ChildJvm.command(classpath, jvm, "kafka.Kafka", List.of(config.toString())), dir, dir.resolve("kafka.log"));
    KafkaBroker broker = new KafkaBroker(process, port);
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
      Await.until("kafka on port " + port, Duration.ofSeconds(60), process,
          () -> describe(admin));
    }
    return broker;
  }

  /**
   * A KRaft cluster id: 16 random bytes in URL-safe base64. One starting with '-' would read as an
   * option on the storage tool's command line, so such ids are drawn again (as Kafka's own Uuid does).
   */
  static String clusterId(java.util.Random random) {
    byte[] id = new byte[16];
    String encoded;
    do {
      random.nextBytes(id);
      encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    } while (encoded.startsWith("-"));
    return encoded;
  }

  private static boolean describe(Admin admin) {
    try {
      return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
