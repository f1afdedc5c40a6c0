package dev.companionbrain.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is, for tests that read the repository's own files (README, deploy files, docs). */
public final class Repository {
  private Repository() {}

  /**
   * The repository's root: the nearest folder at or above the working directory that holds the
   * {@code brain} script and the root {@code pom.xml} (Maven runs a module's tests in the module's folder).
   */
  public static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("brain")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no repository root (a folder with brain and pom.xml) at or above "
        + Path.of("").toAbsolutePath());
  }
}
