package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's Prometheus on a free loopback port, scraping the given targets (job name to host:port
 * list) every {@code interval}, with optional rule files. Stops with {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {
  private final ChildProcess process;
  private final Path dir;
  private final int port;

  private PrometheusServer(ChildProcess process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * @param targets job name to its targets; a target is {@code host:port} or {@code host:port/path}
   * @param ruleFiles alert rule files to load
   */
  public static PrometheusServer start(Map<String, List<String>> targets, Duration interval, List<Path> ruleFiles) {
    return start(targets, interval, ruleFiles, Map.of());
  }

  /**
   * @param bearerKeys job name to the API key it scrapes with ({@code Authorization: Bearer}); each
   *     key goes into a file of its own, readable by the owner only, never into the configuration
   */
  public static PrometheusServer start(Map<String, List<String>> targets, Duration interval, List<Path> ruleFiles,
      Map<String, String> bearerKeys) {
    String binary = Executables.find("prometheus").orElseThrow(() -> new MissingPrerequisiteException(
        "prometheus not found: install the Debian package prometheus "
            + "(./brain test and ./brain up do it with apt-get when run as root)"));
    try {
      Path dir = Files.createTempDirectory("companion-brain-prometheus-");
      int port = Ports.free();
      StringBuilder config = new StringBuilder("global:\n  scrape_interval: ").append(interval.toMillis()).append("ms\n")
          .append("  evaluation_interval: ").append(interval.toMillis()).append("ms\n");
      if (!ruleFiles.isEmpty()) {
        config.append("rule_files:\n");
        ruleFiles.forEach(f -> config.append("  - ").append(f.toAbsolutePath()).append('\n'));
      }
      config.append("scrape_configs:\n");
      targets.forEach((job, list) -> {
        String path = list.isEmpty() || !list.get(0).contains("/") ? "/metrics" : list.get(0).substring(list.get(0).indexOf('/'));
        config.append("  - job_name: ").append(job).append("\n    metrics_path: ").append(path).append('\n');
        if (bearerKeys.containsKey(job)) {
          Path keyFile = dir.resolve(job + ".key");
          try {
            Files.createFile(keyFile, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(keyFile, bearerKeys.get(job));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          config.append("    authorization:\n      type: Bearer\n      credentials_file: ").append(keyFile).append('\n');
        }
        config.append("    static_configs:\n      - targets: [");
        for (int i = 0; i < list.size(); i++) {
          String t = list.get(i);
          config.append(i == 0 ? "" : ", ").append('"').append(t.contains("/") ? t.substring(0, t.indexOf('/')) : t).append('"');
        }
        config.append("]\n");
      });
      Files.writeString(dir.resolve("prometheus.yml"), config);
      ChildProcess process = ChildProcess.start("prometheus", List.of(binary,
          "--config.file=" + dir.resolve("prometheus.yml"),
          "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + port,
          "--log.level=warn"), dir, dir.resolve("prometheus.log"));
      PrometheusServer server = new PrometheusServer(process, dir, port);
      Await.until("prometheus on port " + port, Duration.ofSeconds(30), process,
          () -> Http.ok(server.url() + "/-/ready", null));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.close();
    Folders.delete(dir);
  }
}
