package dev.companionbrain.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Removes temporary folders: the ones the engines ran in, the local run's checkpoints, a benchmark's files. */
public final class Folders {
  private Folders() {}

  /** Deletes a folder and everything below it, as far as it can (best effort). */
  public static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
