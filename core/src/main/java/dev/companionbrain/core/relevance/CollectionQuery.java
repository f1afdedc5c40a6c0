package dev.companionbrain.core.relevance;

import java.util.Objects;

/**
 * One query of a {@link TestCollection}.
 *
 * @param id the id the collection's relevance judgements use for this query (for SMART
 *     collections in Cranfield's convention its 1-based position in the queries file, for CISI,
 *     MED and CACM its {@code .I} number, see {@link TestCollections})
 * @param text the query text, whitespace-normalised
 */
public record CollectionQuery(String id, String text) {
  /** @throws NullPointerException if any component is null */
  public CollectionQuery {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
  }
}
