package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.jobs.indexing.RedisSink.Writes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the Redis sink's committer announces, without the engines: committables and notices. */
class RedisSinkTest {

  @Nested
  class Serializer {
    private final RedisSink.WritesSerializer serializer = new RedisSink.WritesSerializer();

    @Test
    void roundTrip() throws IOException {
      for (Writes w : List.of(new Writes(0, 0), new Writes(1, 1_764_238_000_000L), new Writes(1L << 40, 7),
          new Writes(Long.MAX_VALUE, Long.MAX_VALUE))) {
        byte[] bytes = serializer.serialize(w);

        assertThat(bytes).hasSize(16);
        assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(w);
      }
    }

    @Test
    void versionIsTwo() {
      assertThat(serializer.getVersion()).isEqualTo(2);
    }

    /** A checkpoint taken by the job before notices carried timestamps holds bare counts. */
    @Test
    void readsVersionOneCountsWithAnUnknownTimestamp() throws IOException {
      byte[] v1 = ByteBuffer.allocate(8).putLong(42).array();

      assertThat(serializer.deserialize(1, v1)).isEqualTo(new Writes(42, 0));
    }

    @Test
    void unknownVersionOrLengthIsRefused() {
      byte[] v2 = serializer.serialize(new Writes(5, 9));

      assertThatThrownBy(() -> serializer.deserialize(3, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(0, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(1, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(2, new byte[8])).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(1, new byte[9])).isInstanceOf(IOException.class);
    }
  }

  @Nested
  class Aggregation {
    @Test
    void countsAddUpAndTheOldestTimestampWins() {
      Writes merged = Writes.merge(List.of(new Writes(3, 2_000), new Writes(5, 1_000), new Writes(2, 3_000)));

      assertThat(merged).isEqualTo(new Writes(10, 1_000));
    }

    @Test
    void anUnknownTimestampNeverWins() {
      assertThat(Writes.merge(List.of(new Writes(3, 0), new Writes(1, 5_000)))).isEqualTo(new Writes(4, 5_000));
      assertThat(Writes.merge(List.of(new Writes(1, 5_000), new Writes(3, 0)))).isEqualTo(new Writes(4, 5_000));
      assertThat(Writes.merge(List.of(new Writes(2, 0), new Writes(3, 0)))).isEqualTo(new Writes(5, 0));
    }

    @Test
    void nothingMergesToNothing() {
      assertThat(Writes.merge(List.of())).isEqualTo(Writes.NONE);
    }

    @Test
    void aWriterCountsEachActionAndKeepsTheSmallestKnownTimestamp() {
      Writes w = Writes.NONE.plus(2_000).plus(-1).plus(1_500).plus(0).plus(1_800);

      assertThat(w).isEqualTo(new Writes(5, 1_500));
    }
  }

  @Test
  void theNoticeCarriesTheCheckpointsWritesAndItsOldestDocument() throws IOException {
    GenerationNotice notice = RedisSink.GenerationCommitter.notice(42, 1_764_238_000_500L, new Writes(17, 1_764_238_000_000L));

    assertThat(notice).isEqualTo(new GenerationNotice(42, 1_764_238_000_500L, 17, 1_764_238_000_000L));
    assertThat(GenerationNotice.fromJson(notice.toJson())).isEqualTo(notice);
    assertThat(notice.toJson()).contains("\"oldest_produced_at\":1764238000000");
  }
}
