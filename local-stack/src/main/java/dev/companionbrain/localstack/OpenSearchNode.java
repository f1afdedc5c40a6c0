package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * OpenSearch 2.19 (the Elasticsearch API of the tests) with k-NN, in a child JVM: its Lucene 9
 * must not meet the Elasticsearch 7.10 client of the product in one classpath.
 */
final class OpenSearchNode implements AutoCloseable {
  private static final String MAIN = "dev.companionbrain.localstack.opensearch.OpenSearchNodeMain";
  private final ChildProcess process;
  final int port;

  private OpenSearchNode(ChildProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  static OpenSearchNode start(Path dir) {
    int[] ports = Ports.free(2);
    int port = ports[0];
    int transportPort = ports[1];
    List<String> classpath = new ArrayList<>();
    for (String entry : ChildJvm.classpath("opensearch-node")) {
      if (entry.endsWith(".zip")) {
        classpath.add(unpackPluginJar(Path.of(entry), dir.resolve("knn-plugin")).toString());
      } else {
        classpath.add(entry);
      }
    }
    List<String> jvm = List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
        "-Dlog4j2.level=WARN", "-Dlog4j2.disable.jmx=true", "-Dopensearch.set.netty.runtime.available.processors=false",
        "-Djna.nosys=true", "-Dio.netty.allocator.type=unpooled",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED");
    ChildProcess process = ChildProcess.start("opensearch",
        ChildJvm.command(classpath, jvm, MAIN, List.of(dir.resolve("cluster").toString(),
            Integer.toString(port), Integer.toString(transportPort))),
        dir, dir.resolve("opensearch.log"));
    OpenSearchNode node = new OpenSearchNode(process, port);
    Await.until("opensearch on port " + port, Duration.ofSeconds(120), process,
        () -> Http.ok(node.url() + "/_cluster/health?wait_for_status=yellow&timeout=1s", null));
    return node;
  }

  /** The k-NN plugin ships as a zip holding its jar; unpack the jar for the classpath. */
  private static Path unpackPluginJar(Path zip, Path target) {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      Files.createDirectories(target);
      Path jar = null;
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        if (entry.getName().startsWith("opensearch-knn-") && entry.getName().endsWith(".jar")) {
          jar = target.resolve(entry.getName());
          try (InputStream in = file.getInputStream(entry)) {
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      if (jar == null) {
        throw new EngineStartException("no opensearch-knn jar inside " + zip);
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  ChildProcess process() {
    return process;
  }

  @Override
  public void close() {
    process.close();
  }
}
