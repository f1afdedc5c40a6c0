package dev.companionbrain.jobs.indexing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.jobs.indexing.RedisSink.Writes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ids a checkpoint changed, as its generation notice lists them. */
class ChangesTest {
  private final Changes changes = new Changes(3);

  @Test
  void nothingRecordedListsNothing() {
    assertThat(changes.listed()).isTrue();
    assertThat(changes.upserted()).isEmpty();
    assertThat(changes.deleted()).isEmpty();
  }

  @Test
  void eachIdIsListedOnceInTheOrderOfItsLastOperation() {
    changes.record("a", false);
    changes.record("b", false);
    changes.record("a", false);
    changes.record("c", true);
    changes.record("c", true);

    assertThat(changes.upserted()).containsExactly("b", "a");
    assertThat(changes.deleted()).containsExactly("c");
  }

  @Test
  void anUpsertThenADeleteIsADelete() {
    changes.record("a", false);
    changes.record("a", true);

    assertThat(changes.upserted()).isEmpty();
    assertThat(changes.deleted()).containsExactly("a");
  }

  @Test
  void aDeleteThenAnUpsertIsAnUpsert() {
    changes.record("a", true);
    changes.record("a", false);

    assertThat(changes.upserted()).containsExactly("a");
    assertThat(changes.deleted()).isEmpty();
  }

  @Test
  void theBoundCountsDistinctIds() {
    for (int i = 0; i < 10; i++) {
      changes.record("a", i % 2 == 0);
      changes.record("b", false);
      changes.record("c", true);
    }

    assertThat(changes.listed()).isTrue();
    assertThat(changes.upserted()).containsExactly("a", "b");
    assertThat(changes.deleted()).containsExactly("c");
  }

  @Test
  void pastTheBoundNothingIsListedUntilCleared() {
    changes.record("a", false);
    changes.record("b", true);
    changes.record("c", false);
    assertThat(changes.listed()).as("at the bound").isTrue();

    changes.record("d", false);
    assertThat(changes.listed()).isFalse();
    assertThat(changes.upserted()).isNull();
    assertThat(changes.deleted()).isNull();
    changes.record("a", false);
    assertThat(changes.listed()).as("stays unlisted").isFalse();
    assertThat(changes.upserted()).isNull();

    changes.clear();
    assertThat(changes.listed()).isTrue();
    assertThat(changes.upserted()).isEmpty();
    assertThat(changes.deleted()).isEmpty();
    changes.record("e", true);
    changes.record("f", false);
    changes.record("g", false);
    assertThat(changes.upserted()).as("the forgotten ids are gone").containsExactly("f", "g");
    assertThat(changes.deleted()).containsExactly("e");
  }

  @Test
  void clearForgetsTheIds() {
    changes.record("a", false);
    changes.record("b", true);
    changes.clear();

    assertThat(changes.upserted()).isEmpty();
    assertThat(changes.deleted()).isEmpty();
  }

  @Test
  void aBoundOfZeroListsOnlyNothing() {
    Changes none = new Changes(0);
    assertThat(none.listed()).isTrue();
    assertThat(none.upserted()).isEmpty();

    none.record("a", false);
    assertThat(none.listed()).isFalse();
  }

  @Test
  void aNegativeBoundIsRefused() {
    assertThatThrownBy(() -> new Changes(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theListsCannotBeChanged() {
    changes.record("a", false);
    changes.record("b", true);

    assertThatThrownBy(() -> changes.upserted().add("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> changes.deleted().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void writesAreRecordedAfterWhatCameBefore() {
    changes.record("a", true);
    changes.record(new Writes(2, 0, List.of("a"), List.of("b")));

    assertThat(changes.upserted()).containsExactly("a");
    assertThat(changes.deleted()).containsExactly("b");
  }

  @Test
  void writesRecordedPastTheBoundAreNotListed() {
    changes.record(new Writes(4, 0, List.of("a", "b"), List.of("c", "d")));

    assertThat(changes.listed()).isFalse();
  }

  @Test
  void writesNotListingTheirChangesMakeTheseNotListed() {
    changes.record("a", false);
    changes.record(new Writes(1, 0));

    assertThat(changes.listed()).isFalse();
    assertThat(changes.upserted()).isNull();
    changes.record(new Writes(1, 0, List.of("b"), List.of()));
    assertThat(changes.listed()).as("stays unlisted").isFalse();

    changes.clear();
    changes.record("c", false);
    assertThat(changes.upserted()).as("the ids before the unlisted writes are gone").containsExactly("c");
  }
}
