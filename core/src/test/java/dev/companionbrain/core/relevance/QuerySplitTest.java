package dev.companionbrain.core.relevance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QuerySplitTest {
  private static List<CollectionQuery> queries(int count) {
    List<CollectionQuery> queries = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      queries.add(new CollectionQuery(Integer.toString(i), "query " + i));
    }
    return List.copyOf(queries);
  }

  @Test
  void halvesAreDisjointAndCoverEveryQuery() {
    List<CollectionQuery> queries = queries(7);

    QuerySplit.Split split = QuerySplit.halves(queries, 42);

    assertThat(split.tune()).hasSize(3);
    assertThat(split.test()).hasSize(4);
    assertThat(split.tune()).doesNotContainAnyElementsOf(split.test());
    List<CollectionQuery> union = new ArrayList<>(split.tune());
    union.addAll(split.test());
    assertThat(union).containsExactlyInAnyOrderElementsOf(queries);
  }

  @Test
  void theSameSeedGivesTheSameSplit() {
    List<CollectionQuery> queries = queries(20);

    assertThat(QuerySplit.halves(queries, 7)).isEqualTo(QuerySplit.halves(queries, 7));
  }

  @Test
  void theSplitIsShuffledAndDependsOnTheSeed() {
    List<CollectionQuery> queries = queries(20);
    Set<List<CollectionQuery>> tuneHalves = new HashSet<>();
    for (long seed = 0; seed < 10; seed++) {
      tuneHalves.add(QuerySplit.halves(queries, seed).tune());
    }

    assertThat(tuneHalves).hasSizeGreaterThan(1).doesNotContain(queries.subList(0, 10));
  }

  @Test
  void smallInputs() {
    QuerySplit.Split none = QuerySplit.halves(List.of(), 1);
    assertThat(none.tune()).isEmpty();
    assertThat(none.test()).isEmpty();

    QuerySplit.Split one = QuerySplit.halves(queries(1), 1);
    assertThat(one.tune()).isEmpty();
    assertThat(one.test()).containsExactlyElementsOf(queries(1));

    QuerySplit.Split two = QuerySplit.halves(queries(2), 1);
    assertThat(two.tune()).hasSize(1);
    assertThat(two.test()).hasSize(1);
  }

  @Test
  void doesNotModifyItsArgumentAndReturnsUnmodifiableHalves() {
    List<CollectionQuery> queries = new ArrayList<>(queries(10));
    List<CollectionQuery> before = List.copyOf(queries);

    QuerySplit.Split split = QuerySplit.halves(queries, 3);

    assertThat(queries).isEqualTo(before);
    assertThatThrownBy(() -> split.tune().add(new CollectionQuery("x", "x")))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void rejectsDuplicateQueryIds() {
    CollectionQuery query = new CollectionQuery("1", "a");

    assertThatThrownBy(() -> QuerySplit.halves(List.of(query, new CollectionQuery("1", "b")), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1'");
  }
}
