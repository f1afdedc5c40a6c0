package dev.companionbrain.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The addresses of the stack that {@code brain up} runs, written to {@code .brain/endpoints.json}
 * (owner-only permissions: it holds the Meilisearch key) so that {@code brain ingest} and
 * {@code brain search} find it. Environment variables override it.
 */
final class RunningStack {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunningStack() {}

  static Path file() {
    return Path.of(System.getProperty("brain.home", ".")).resolve(".brain").resolve("endpoints.json");
  }

  static void write(Map<String, String> endpoints) {
    try {
      Path file = file();
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("endpoints.json.tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(endpoints));
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void remove() {
    try {
      Files.deleteIfExists(file());
    } catch (IOException ignored) {
      // best effort
    }
  }

  /** Everything the running stack's file holds (empty when there is none). */
  static Map<String, String> readAll() {
    Path file = file();
    if (!Files.exists(file)) {
      return new java.util.LinkedHashMap<>();
    }
    try {
      return JSON.readValue(file.toFile(), new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The setting's environment variable when set, else what {@code ./brain up} recorded under {@code fileKey}. */
  static Optional<String> get(dev.companionbrain.core.config.Setting setting, String fileKey) {
    String env = System.getenv(setting.variable());
    if (env != null && !env.isBlank()) {
      return Optional.of(env);
    }
    return recorded(fileKey);
  }

  /** What {@code ./brain up} recorded under {@code fileKey}. */
  static Optional<String> recorded(String fileKey) {
    Path file = file();
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      ObjectNode node = (ObjectNode) JSON.readTree(file.toFile());
      return Optional.ofNullable(node.get(fileKey)).map(n -> n.asText());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static String require(dev.companionbrain.core.config.Setting setting, String fileKey) {
    return get(setting, fileKey).orElseThrow(() -> new IllegalStateException(
        "no " + fileKey + " known: start the stack with ./brain up, or set " + setting.variable()));
  }
}
