package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.cache.GenerationNotice;
import dev.companionbrain.jobs.indexing.RedisSink.Writes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the Redis sink's committer announces, without the engines: committables and notices. */
class RedisSinkTest {
  private static final int MAX = 1000;

  @Nested
  class Serializer {
    private final RedisSink.WritesSerializer serializer = new RedisSink.WritesSerializer();

    @Test
    void roundTrip() throws IOException {
      for (Writes w : List.of(Writes.NONE, new Writes(0, 0), new Writes(1, 1_764_238_000_000L), new Writes(1L << 40, 7),
          new Writes(Long.MAX_VALUE, Long.MAX_VALUE),
          new Writes(3, 5, List.of("a", "doc-ü", ""), List.of("gone")),
          new Writes(2, 5, List.of(), List.of("x", "y")))) {
        byte[] bytes = serializer.serialize(w);

        assertThat(serializer.deserialize(serializer.getVersion(), bytes)).isEqualTo(w);
      }
    }

    @Test
    void versionThreeIsCountTimestampAndTheTwoLists() throws IOException {
      assertThat(serializer.getVersion()).isEqualTo(3);
      assertThat(serializer.serialize(new Writes(1, 2))).isEqualTo(ByteBuffer.allocate(24)
          .putLong(1).putLong(2).putInt(-1).putInt(-1).array());
      assertThat(serializer.serialize(new Writes(1, 2, List.of("ab"), List.of()))).isEqualTo(ByteBuffer.allocate(30)
          .putLong(1).putLong(2).putInt(1).putInt(2).put((byte) 'a').put((byte) 'b').putInt(0).array());
    }

    /** A checkpoint taken by the job before notices carried timestamps holds bare counts. */
    @Test
    void readsVersionOneCountsWithAnUnknownTimestampAndNoListedChanges() throws IOException {
      byte[] v1 = ByteBuffer.allocate(8).putLong(42).array();

      Writes read = serializer.deserialize(1, v1);

      assertThat(read).isEqualTo(new Writes(42, 0));
      assertThat(read.listsChanges()).isFalse();
    }

    /** A checkpoint taken by the job before notices listed changes holds counts and timestamps. */
    @Test
    void readsVersionTwoWithNoListedChanges() throws IOException {
      byte[] v2 = ByteBuffer.allocate(16).putLong(42).putLong(1_764_238_000_000L).array();

      Writes read = serializer.deserialize(2, v2);

      assertThat(read).isEqualTo(new Writes(42, 1_764_238_000_000L, null, null));
      assertThat(read.listsChanges()).isFalse();
    }

    @Test
    void unknownVersionOrLengthIsRefused() throws IOException {
      byte[] v2 = ByteBuffer.allocate(16).putLong(5).putLong(9).array();
      byte[] v3 = serializer.serialize(new Writes(5, 9, List.of("abc"), List.of("d")));

      assertThatThrownBy(() -> serializer.deserialize(4, v3)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(0, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(1, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(3, v2)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(2, v3)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(2, new byte[8])).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> serializer.deserialize(1, new byte[9])).isInstanceOf(IOException.class);
      for (int cut = 0; cut < v3.length; cut++) {
        byte[] truncated = Arrays.copyOf(v3, cut);
        assertThatThrownBy(() -> serializer.deserialize(3, truncated)).as("cut at %d", cut).isInstanceOf(IOException.class);
      }
      byte[] trailing = Arrays.copyOf(v3, v3.length + 1);
      assertThatThrownBy(() -> serializer.deserialize(3, trailing)).isInstanceOf(IOException.class);
      byte[] negativeLength = ByteBuffer.allocate(32).putLong(1).putLong(2).putInt(1).putInt(-5).putInt(0).putInt(0).array();
      assertThatThrownBy(() -> serializer.deserialize(3, negativeLength)).isInstanceOf(IOException.class);
    }
  }

  @Nested
  class Aggregation {
    @Test
    void countsAddUpAndTheOldestTimestampWins() {
      Writes merged = Writes.merge(List.of(new Writes(3, 2_000), new Writes(5, 1_000), new Writes(2, 3_000)), MAX);

      assertThat(merged).isEqualTo(new Writes(10, 1_000));
    }

    @Test
    void anUnknownTimestampNeverWins() {
      assertThat(Writes.merge(List.of(new Writes(3, 0), new Writes(1, 5_000)), MAX)).isEqualTo(new Writes(4, 5_000));
      assertThat(Writes.merge(List.of(new Writes(1, 5_000), new Writes(3, 0)), MAX)).isEqualTo(new Writes(4, 5_000));
      assertThat(Writes.merge(List.of(new Writes(2, 0), new Writes(3, 0)), MAX)).isEqualTo(new Writes(5, 0));
    }

    @Test
    void nothingMergesToNothingListed() {
      assertThat(Writes.merge(List.of(), MAX)).isEqualTo(Writes.NONE);
      assertThat(Writes.NONE.listsChanges()).isTrue();
    }

    @Test
    void theListsOfSeveralWritersAreTheirUnion() {
      Writes merged = Writes.merge(List.of(new Writes(2, 0, List.of("a"), List.of("b")),
          new Writes(3, 0, List.of("c", "d"), List.of())), MAX);

      assertThat(merged).isEqualTo(new Writes(5, 0, List.of("a", "c", "d"), List.of("b")));
    }

    @Test
    void aLaterCheckpointsOperationOnAnIdWins() {
      Writes merged = Writes.merge(List.of(new Writes(2, 0, List.of("a"), List.of("b")),
          new Writes(2, 0, List.of("b"), List.of("a"))), MAX);

      assertThat(merged).isEqualTo(new Writes(4, 0, List.of("b"), List.of("a")));
    }

    @Test
    void writesNotListingTheirChangesMakeTheSumNotListThem() {
      Writes merged = Writes.merge(List.of(new Writes(2, 0, List.of("a"), List.of("b")), new Writes(3, 7)), MAX);

      assertThat(merged).isEqualTo(new Writes(5, 7));
      assertThat(merged.listsChanges()).isFalse();
    }

    @Test
    void theSumRespectsTheBound() {
      List<Writes> two = List.of(new Writes(1, 0, List.of("a"), List.of()), new Writes(1, 0, List.of(), List.of("b")));

      assertThat(Writes.merge(two, 2)).isEqualTo(new Writes(2, 0, List.of("a"), List.of("b")));
      assertThat(Writes.merge(two, 1)).isEqualTo(new Writes(2, 0));
    }

    @Test
    void aWriterCountsEachActionAndKeepsTheSmallestKnownTimestamp() {
      Writes w = Writes.NONE.plus(2_000).plus(-1).plus(1_500).plus(0).plus(1_800);

      assertThat(w).isEqualTo(new Writes(5, 1_500, List.of(), List.of()));
    }

    @Test
    void aWriterListsWhatItsChangesRecorded() {
      Changes changes = new Changes(MAX);
      changes.record("a", false);
      changes.record("b", true);

      assertThat(Writes.NONE.plus(10).plus(20).listing(changes)).isEqualTo(new Writes(2, 10, List.of("a"), List.of("b")));
      Changes over = new Changes(0);
      over.record("x", true);
      assertThat(new Writes(3, 10).listing(over)).isEqualTo(new Writes(3, 10));
    }

    @Test
    void theListsAreCopiesAndOneMissingListIsNotAListing() {
      List<String> ids = new java.util.ArrayList<>(List.of("a"));
      Writes w = new Writes(1, 0, ids, List.of());
      ids.add("b");

      assertThat(w.upserted()).containsExactly("a");
      assertThat(new Writes(1, 0, List.of(), null).listsChanges()).isFalse();
      assertThat(new Writes(1, 0, null, List.of()).listsChanges()).isFalse();
    }
  }

  @Test
  void theNoticeCarriesTheCheckpointsWritesItsOldestDocumentAndItsChanges() throws IOException {
    GenerationNotice notice = RedisSink.GenerationCommitter.notice(42, 1_764_238_000_500L,
        new Writes(17, 1_764_238_000_000L, List.of("doc-1", "doc-7"), List.of("doc-3")));

    assertThat(notice).isEqualTo(new GenerationNotice(42, 1_764_238_000_500L, 17, 1_764_238_000_000L,
        List.of("doc-1", "doc-7"), List.of("doc-3")));
    assertThat(GenerationNotice.fromJson(notice.toJson())).isEqualTo(notice);
    assertThat(notice.toJson()).contains("\"oldest_produced_at\":1764238000000",
        "\"upserted\":[\"doc-1\",\"doc-7\"]", "\"deleted\":[\"doc-3\"]");
  }

  @Test
  void aNoticeOverTheBoundListsNoChanges() throws IOException {
    GenerationNotice notice = RedisSink.GenerationCommitter.notice(42, 1_764_238_000_500L, new Writes(5_000, 7));

    assertThat(notice).isEqualTo(new GenerationNotice(42, 1_764_238_000_500L, 5_000, 7));
    assertThat(notice.listsChanges()).isFalse();
    assertThat(notice.toJson()).doesNotContain("upserted", "deleted");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aReplaysSinkHandsOverNothingAndItsCommitterOpensNothing() throws Exception {
    // nothing listens on port 1: a writer or committer that connected would fail here
    IndexingConfig replay = IndexingConfig.inNamespace("ns", "127.0.0.1:1", dev.companionbrain.core.config.EngineAddresses
        .withoutLogins("http://127.0.0.1:1", "http://127.0.0.1:1", "key", "redis://127.0.0.1:1"), 1000).withIndexVersion(2, true);
    RedisSink sink = new RedisSink("redis://127.0.0.1:1", replay);
    var writer = (org.apache.flink.api.connector.sink2.CommittingSinkWriter<IndexAction, Writes>) sink.createWriter((org.apache.flink.api.connector.sink2.WriterInitContext) null);
    writer.flush(false);
    assertThat(writer.prepareCommit()).isEmpty();
    writer.close();
    try (var committer = sink.createCommitter(null)) {
      committer.commit(List.of());
    }
  }
}
