package dev.companionbrain.localstack;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/** Meilisearch 1.21 from its npm package, with a random master key. */
final class MeilisearchServer implements AutoCloseable {
  private final ChildProcess process;
  final int port;
  final String masterKey;

  private MeilisearchServer(ChildProcess process, int port, String masterKey) {
    this.process = process;
    this.port = port;
    this.masterKey = masterKey;
  }

  static MeilisearchServer start(Path dir, Path binary) {
    int port = Ports.free();
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    String masterKey = HexFormat.of().formatHex(key);
    ChildProcess process = ChildProcess.start("meilisearch", List.of(binary.toString(),
        "--db-path", dir.resolve("data.ms").toString(),
        "--dump-dir", dir.resolve("dumps").toString(),
        "--snapshot-dir", dir.resolve("snapshots").toString(),
        "--http-addr", "127.0.0.1:" + port,
        "--env", "development",
        "--no-analytics",
        // the default is two thirds of the machine's RAM, and Meilisearch 1.21 then pays for it on every batch:
        // measured here with Cranfield, tasks of 5 documents every 250 ms took p95 2.7 s and 1,398 documents as
        // 44 small tasks cost 13.9 CPU-seconds; with 256 MiB, p95 33 ms and 2.4 CPU-seconds (one big batch: same)
        "--max-indexing-memory", "256MiB",
        "--log-level", "WARN"), java.util.Map.of("MEILI_MASTER_KEY", masterKey), dir, dir.resolve("meilisearch.log"));
    MeilisearchServer server = new MeilisearchServer(process, port, masterKey);
    Await.until("meilisearch on port " + port, Duration.ofSeconds(30), process,
        () -> Http.ok(server.url() + "/health", null));
    return server;
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
