package dev.companionbrain.localstack;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Meilisearch 1.21 from its npm package, with a random master key and a search-only API key made
 * from it (what the query service gets: it must not be able to write).
 */
final class MeilisearchServer implements AutoCloseable {
  private static final Pattern KEY = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"");
  private final ChildProcess process;
  final int port;
  final String masterKey;
  private volatile String searchKey;

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
    server.searchKey = server.createSearchKey();
    return server;
  }

  /** A key that may only search, every index (tests use many); made once, with the master key. */
  private String createSearchKey() {
    var response = Http.postJson(url() + "/keys", masterKey,
        "{\"description\":\"query service: search only\",\"actions\":[\"search\"],\"indexes\":[\"*\"],\"expiresAt\":null}");
    Matcher key = KEY.matcher(response.body());
    if (response.statusCode() != 201 || !key.find()) {
      throw new IllegalStateException("meilisearch did not create a search key: HTTP " + response.statusCode());
    }
    return key.group(1);
  }

  String searchKey() {
    return searchKey;
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
