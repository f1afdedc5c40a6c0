package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.bench.CacheBenchmark.Answer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The check "no answer holds a deleted document", on notices and answers given by hand. */
class DeletedAnswersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static void notice(DeletedAnswers d, String json) throws Exception {
    d.notice(JSON.readTree(json));
  }

  @Test
  void anAnswerHoldsADeletedDocumentFromTheDeletingGenerationOnUntilItIsAddedAgain() throws Exception {
    DeletedAnswers d = new DeletedAnswers();
    notice(d, "{\"generation\":3,\"published_at\":1,\"documents\":2,\"upserted\":[\"a\",\"b\"],\"deleted\":[]}");
    notice(d, "{\"generation\":5,\"upserted\":[],\"deleted\":[\"a\"]}");
    notice(d, "{\"generation\":8,\"upserted\":[\"a\"],\"deleted\":[\"b\"]}");

    assertThat(d.holdsDeleted(4, List.of("x", "a"))).as("before its delete").isFalse();
    assertThat(d.holdsDeleted(5, List.of("x", "a"))).as("at its delete").isTrue();
    assertThat(d.holdsDeleted(7, List.of("a"))).isTrue();
    assertThat(d.holdsDeleted(8, List.of("a"))).as("added again").isFalse();
    assertThat(d.holdsDeleted(8, List.of("b"))).isTrue();
    assertThat(d.holdsDeleted(100, List.of("never-seen"))).isFalse();
    assertThat(d.deletes()).isEqualTo(2);

    assertThat(d.holdsLaterDeleted(4, List.of("a"))).as("served before a later delete").isTrue();
    assertThat(d.holdsLaterDeleted(6, List.of("a"))).as("deleted now, not later").isFalse();
    assertThat(d.holdsLaterDeleted(8, List.of("a"))).isFalse();
  }

  @Test
  void anIdInBothListsOfOneNoticeIsDeletedAndNoticesWithoutListsChangeNothing() throws Exception {
    DeletedAnswers d = new DeletedAnswers();
    notice(d, "{\"generation\":2,\"upserted\":[\"c\"],\"deleted\":[\"c\"]}");
    notice(d, "{\"generation\":3,\"published_at\":1,\"documents\":9,\"oldest_produced_at\":0}");
    notice(d, "{\"not\":\"a notice\"}");
    d.notice(null);
    assertThat(d.holdsDeleted(2, List.of("c"))).isTrue();
    assertThat(d.holdsDeleted(3, List.of("c"))).isTrue();
    assertThat(d.deletes()).isEqualTo(1);
  }

  @Test
  void theBenchmarkCountsAnswersHoldingADeletedDocumentAndThoseThatHeldOneBeforeItsDelete() throws Exception {
    DeletedAnswers d = new DeletedAnswers();
    notice(d, "{\"generation\":10,\"upserted\":[\"bench-D-1\",\"bench-D-2\"],\"deleted\":[]}");
    notice(d, "{\"generation\":12,\"upserted\":[],\"deleted\":[\"bench-D-1\"]}");
    List<Answer> answers = List.of(
        new Answer(11, List.of("1", "bench-D-1")), // before the delete: fine, and evidence it was served
        new Answer(12, List.of("bench-D-2", "2")), // never deleted
        new Answer(12, List.of("bench-D-1")), // a deleted document served: counted
        new Answer(13, List.of("3")));
    assertThat(CacheBenchmark.deletedAnswers(d, answers)).containsExactly(1, 1);
  }
}
