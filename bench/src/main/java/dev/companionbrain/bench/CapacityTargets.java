package dev.companionbrain.bench;

import static dev.companionbrain.bench.ReportFormat.num;
import static dev.companionbrain.bench.ReportFormat.num1;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The judging of {@code brain bench capacity} (issue #25), pure: whether a step meets the seed's targets,
 * a pass's knee, and the verdicts of the two targets: (1) at 50 requests/s from 50 clients with
 * 10 documents/s, the seed's targets with no 503 and freshness within twice its value with no search
 * load; (2) at twice the knee, no collapse, p99 of the answered <= 1 s, refusals only 429 with
 * {@code Retry-After}, no breaker opened.
 */
final class CapacityTargets {
  /** The seed's targets: non-200 share under this, of the requests sent. */
  static final double MAX_NOT_ANSWERED = 0.001;
  static final double MAX_P95_MS = 200;
  static final double MAX_P99_MS = 500;
  /** Target (1)'s load. */
  static final double TARGET_RATE = 50;
  static final int TARGET_CLIENTS = 50;
  static final double TARGET_INGEST_RATE = 10;
  /** Target (1): freshness p95 at most this many times the one with no search load. */
  static final double FRESHNESS_FACTOR = 2;
  /** Target (2)'s load, a multiple of the knee, and its bound on the answered's p99. */
  static final double BEYOND_MULTIPLE = 2;
  static final double BEYOND_MAX_P99_MS = 1000;

  private CapacityTargets() {}

  /** A target's verdict and why. */
  record Verdict(Outcome outcome, String detail) {
    enum Outcome {
      MET("met"),
      NOT_MET("NOT met"),
      NOT_MEASURED("not measured");

      final String text;

      Outcome(String text) {
        this.text = text;
      }
    }

    String text() {
      return outcome.text + " (" + detail + ")";
    }
  }

  /** What a step misses of the seed's targets (empty: it meets them). */
  static List<String> misses(CapacityStep s) {
    List<String> misses = new ArrayList<>();
    if (s.sent() == 0) {
      misses.add("nothing sent");
      return misses;
    }
    double notAnswered = (double) s.notAnswered() / s.sent();
    if (!(notAnswered < MAX_NOT_ANSWERED)) {
      misses.add(String.format(Locale.ROOT, "not 200 %.2f %% >= %s %%", 100 * notAnswered, num(100 * MAX_NOT_ANSWERED)));
    }
    if (s.answered() == 0) {
      misses.add("no 200 answer");
      return misses;
    }
    if (!(s.answeredMs().p95() < MAX_P95_MS)) {
      misses.add("p95 " + ms(s.answeredMs().p95()) + " >= " + num(MAX_P95_MS) + " ms");
    }
    if (!(s.answeredMs().p99() < MAX_P99_MS)) {
      misses.add("p99 " + ms(s.answeredMs().p99()) + " >= " + num(MAX_P99_MS) + " ms");
    }
    return misses;
  }

  static boolean meets(CapacityStep s) {
    return misses(s).isEmpty();
  }

  /**
   * The knee of a ladder: its step of the highest rate that meets the seed's targets with every step of
   * a lower rate meeting them too; empty when the lowest rate misses them.
   */
  static Optional<CapacityStep> knee(List<CapacityStep> ladder) {
    CapacityStep knee = null;
    for (CapacityStep s : ladder.stream().sorted(Comparator.comparingDouble(CapacityStep::rate)).toList()) {
      if (!meets(s)) {
        break;
      }
      knee = s;
    }
    return Optional.ofNullable(knee);
  }

  /**
   * Target (1), on the pass with documents streaming: its step at 50 requests/s, the run's clients and
   * ingest rate being the target's.
   *
   * @param ingest the pass with documents streaming (null when it was not run)
   */
  static Verdict atTargetLoad(CapacityPass ingest, int clients, double ingestRate) {
    String load = num(TARGET_RATE) + " requests/s from " + TARGET_CLIENTS + " clients with " + num(TARGET_INGEST_RATE)
        + " documents/s";
    if (ingest == null) {
      return notMeasured("the ingest pass did not run");
    }
    if (clients != TARGET_CLIENTS || ingestRate != TARGET_INGEST_RATE) {
      return notMeasured("--clients " + clients + " --ingest-rate " + num(ingestRate) + ", the target is at " + load);
    }
    Optional<CapacityStep> at = ingest.ladder().stream().filter(s -> s.rate() == TARGET_RATE).findFirst();
    if (at.isEmpty()) {
      return notMeasured("no step at " + num(TARGET_RATE) + " requests/s in --rates");
    }
    CapacityStep s = at.get();
    List<String> misses = misses(s);
    long unavailable = s.failed(503);
    if (unavailable > 0) {
      misses.add("503 " + codes(s.failures().get(503)));
    }
    CapacityStep.Freshness reference = ingest.reference() == null ? CapacityStep.Freshness.NONE : ingest.reference().freshness();
    CapacityStep.Freshness fresh = s.freshness();
    String freshness = "freshness p95 " + ms(fresh.p95()) + " against " + ms(reference.p95()) + " with no search load";
    boolean freshnessMeasurable = reference.seen() > 0 && fresh.sent() > 0;
    if (freshnessMeasurable) {
      if (fresh.unseen() > 0) {
        misses.add(fresh.unseen() + " of " + fresh.sent() + " probes not seen");
      } else if (!(fresh.p95() <= FRESHNESS_FACTOR * reference.p95())) {
        misses.add(freshness + ", over " + num(FRESHNESS_FACTOR) + " ×");
      }
    }
    if (!misses.isEmpty()) {
      return new Verdict(Verdict.Outcome.NOT_MET, load + ": " + String.join("; ", misses));
    }
    if (!freshnessMeasurable) {
      return notMeasured(load + ": the rest met, but no probe was " + (reference.seen() == 0
          ? "seen with no search load" : "sent during the step"));
    }
    return new Verdict(Verdict.Outcome.MET, String.format(Locale.ROOT, "%s: not 200 %d of %d, p95 %s, p99 %s, no 503, %s",
        load, s.notAnswered(), s.sent(), ms(s.answeredMs().p95()), ms(s.answeredMs().p99()), freshness));
  }

  /** Target (2), on one pass: its step beyond the knee against its knee. */
  static Verdict beyondKnee(CapacityPass pass, double multiple) {
    if (multiple != BEYOND_MULTIPLE) {
      return notMeasured("--beyond-knee " + num(multiple) + ", the target is at " + num(BEYOND_MULTIPLE) + " × the knee");
    }
    Optional<CapacityStep> knee = knee(pass.ladder());
    if (knee.isEmpty()) {
      return notMeasured("no knee: the lowest rate missed the seed's targets");
    }
    CapacityStep b = pass.beyond();
    if (b == null) {
      return notMeasured("no step beyond the knee ran");
    }
    CapacityStep k = knee.get();
    List<String> misses = new ArrayList<>();
    if (!(b.goodput() >= k.goodput())) {
      misses.add(String.format(Locale.ROOT, "answered %.2f/s < the knee's %.2f/s", b.goodput(), k.goodput()));
    }
    if (!(b.answeredMs().p99() <= BEYOND_MAX_P99_MS)) {
      misses.add("p99 " + ms(b.answeredMs().p99()) + " > " + num(BEYOND_MAX_P99_MS) + " ms");
    }
    List<String> others = new ArrayList<>();
    b.failures().forEach((status, codes) -> {
      if (status != 429) {
        others.add((status == 0 ? "no answer" : status.toString()) + " " + codes(codes));
      }
    });
    if (!others.isEmpty()) {
      misses.add("refusals not 429: " + String.join(", ", others));
    }
    if (b.retryAfterMissing() > 0) {
      misses.add(b.retryAfterMissing() + " 429 without Retry-After");
    }
    if (!b.breakersOpened().isEmpty()) {
      misses.add("breakers opened: " + String.join(", ", b.breakersOpened()));
    }
    if (b.breakerSkipped() > 0) {
      misses.add(b.breakerSkipped() + " answers skipped a retriever for an open breaker");
    }
    String load = "at " + num(b.rate()) + " requests/s, " + num(multiple) + " × the knee " + num(k.rate());
    if (!misses.isEmpty()) {
      return new Verdict(Verdict.Outcome.NOT_MET, load + ": " + String.join("; ", misses));
    }
    return new Verdict(Verdict.Outcome.MET, String.format(Locale.ROOT, "%s: answered %.1f/s (knee %.1f/s), p99 %s, "
        + "%d refused, all 429 with Retry-After, no breaker opened", load, b.goodput(), k.goodput(),
        ms(b.answeredMs().p99()), b.failed(429)));
  }

  /** {@code {"backends_unavailable": 3, "": 1}} as {@code "backends_unavailable x3, (no code) x1"}. */
  static String codes(Map<String, Long> codes) {
    List<String> parts = new ArrayList<>();
    codes.forEach((code, n) -> parts.add((code.isEmpty() ? "(no code)" : code) + " x" + n));
    return String.join(", ", parts);
  }

  /** Every failure of a step: {@code "429 too_many_requests x12, 503 backends_unavailable x3, no answer x2"}. */
  static String failures(SortedMap<Integer, SortedMap<String, Long>> failures) {
    List<String> parts = new ArrayList<>();
    failures.forEach((status, codes) -> parts.add(status == 0 ? "no answer x" + codes.values().stream()
        .mapToLong(Long::longValue).sum() : status + " " + codes(codes)));
    return String.join(", ", parts);
  }

  private static Verdict notMeasured(String why) {
    return new Verdict(Verdict.Outcome.NOT_MEASURED, why);
  }

  private static String ms(double v) {
    return num1(v) + " ms";
  }
}
