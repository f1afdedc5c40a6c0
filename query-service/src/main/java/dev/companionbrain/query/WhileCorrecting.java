package dev.companionbrain.query;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Answers a search while its correction is still being asked: the answer of the query as written is
 * computed meanwhile, and kept when the correction leaves the query as it is (most queries have no
 * typo); when it changes the query, the corrected query is answered and the first answer (or its
 * failure) is dropped. The correction's round trip to the engine so overlaps the retrievers' instead
 * of coming before them; a typo'd query costs a second answer, once per {@link QueryCorrector#REMEMBERED}.
 */
final class WhileCorrecting {
  private WhileCorrecting() {}

  /**
   * An answer and the query it answers.
   *
   * @param query the query as written, or its correction
   */
  record Answered<Q, A>(Q query, A answer) {}

  /**
   * The answer of {@code asWritten} corrected.
   *
   * @param correction the corrected query ({@code asWritten} itself, equal, when nothing is corrected);
   *     a failed correction leaves the query as written
   * @param answer a query's answer; its failure is the search's only when it answers the query kept
   */
  static <Q, A> Answered<Q, A> answer(Q asWritten, CompletableFuture<Q> correction, Function<Q, A> answer) {
    if (correction.isDone()) {
      Q query = settled(asWritten, correction);
      return new Answered<>(query, answer.apply(query));
    }
    A speculative = null;
    RuntimeException failure = null;
    try {
      speculative = answer.apply(asWritten);
    } catch (RuntimeException e) {
      failure = e;
    }
    Q query = settled(asWritten, correction);
    if (!query.equals(asWritten)) {
      return new Answered<>(query, answer.apply(query));
    }
    if (failure != null) {
      throw failure;
    }
    return new Answered<>(asWritten, speculative);
  }

  /** The query {@code correction} settles on: {@code asWritten} when it failed or settled on none. */
  private static <Q> Q settled(Q asWritten, CompletableFuture<Q> correction) {
    try {
      Q query = correction.join();
      return query == null ? asWritten : query;
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return asWritten;
    }
  }
}
