package dev.companionbrain.bench;

import static dev.companionbrain.bench.ReportFormat.num;
import static dev.companionbrain.bench.ReportFormat.num1;
import static dev.companionbrain.bench.ReportFormat.num2;
import static dev.companionbrain.bench.ReportFormat.pct;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The markdown report of {@code brain bench capacity}: the command, one table per pass with a row per
 * step, each pass's knee and step beyond it, the verdicts of issue #25's targets, where the CPU went at
 * the knee, and the chart beside the report.
 *
 * @param commandLine the run's command with every option
 * @param setup what ran and how (a paragraph)
 */
record CapacityReport(String commandLine, String setup, int clients, double ingestRate, double beyondKnee, int cores) {
  private static final String[] COLUMNS = {"step", "offered/s", "answered 200/s", "from cache (l1 + l2)",
      "200s p50 / p95 / p99 ms", "all p50 / p95 / p99 ms", "refused (status code x n)", "no answer",
      "429 without Retry-After", "stale answers (largest stale_ms)", "freshness p50 / p95 ms (seen / sent)",
      "breakers opened", "machine busy mean / max", "cores service / Flink / bench / rest", "seed's targets"};

  String markdown(String title, List<CapacityPass> passes, String chartFile) {
    StringBuilder md = new StringBuilder();
    md.append("# Capacity ").append(title).append("\n\n`").append(commandLine).append("`\n\n").append(setup).append("\n\n");
    md.append("![goodput and p95 of the answered against offered load](").append(chartFile).append(")\n\n");
    for (CapacityPass p : passes) {
      md.append("## ").append(passTitle(p.kind())).append("\n\n");
      table(md, p);
      md.append('\n').append(kneeLine(p)).append("\n\n").append(beyondLine(p)).append("\n\n");
    }
    md.append("## Targets (issue #25)\n\n");
    CapacityPass ingest = passes.stream().filter(p -> p.kind() == CapacityPass.Kind.INGEST).findFirst().orElse(null);
    md.append("1. At ").append(num(CapacityTargets.TARGET_RATE)).append(" requests/s from ")
        .append(CapacityTargets.TARGET_CLIENTS).append(" clients with ").append(num(CapacityTargets.TARGET_INGEST_RATE))
        .append(" documents/s (not 200 < 0.1 %, p95 < 200 ms, p99 < 500 ms, no 503, freshness p95 within 2 × its value "
            + "with no search load): ").append(CapacityTargets.atTargetLoad(ingest, clients, ingestRate).text()).append('\n');
    passes.stream().filter(p -> p.kind() == CapacityPass.Kind.YIELDING).findFirst().ifPresent(yielding -> md
        .append("   - ").append(passTitle(yielding.kind())).append(": ")
        .append(CapacityTargets.atTargetLoad(yielding, clients, ingestRate).text()).append('\n'));
    md.append("2. At twice the knee (answered rate at least the knee's, p99 of the answered <= 1 s, refusals only 429 "
        + "with Retry-After, no breaker opened):");
    if (passes.isEmpty()) {
      md.append(" not measured (no pass ran)");
    }
    md.append('\n');
    for (CapacityPass p : passes) {
      md.append("   - ").append(passTitle(p.kind())).append(": ")
          .append(CapacityTargets.beyondKnee(p, beyondKnee).text()).append('\n');
    }
    md.append("\n## Where the CPU went at the knee\n\n");
    for (CapacityPass p : passes) {
      md.append("- ").append(passTitle(p.kind())).append(": ").append(CapacityTargets.knee(p.ladder())
          .map(k -> "at " + num(k.rate()) + " requests/s, " + cpu(k.cpu())).orElse("no knee")).append('\n');
    }
    md.append("\nA step meets the seed's targets when its requests not answered 200 (refused, failed or unanswered in "
        + "10 s) are under 0.1 % of those sent and the 200 answers' p95 is under 200 ms and p99 under 500 ms, latency "
        + "counted from each request's intended send time. The knee is the highest rate whose step meets them with every "
        + "lower rate meeting them too. A step whose machine was near 100 % busy was short of cores (the engines, Flink, "
        + "the service and this benchmark share them), not necessarily of the service's own capacity.\n");
    return md.toString();
  }

  String passTitle(CapacityPass.Kind kind) {
    return switch (kind) {
      case NONE -> "No ingestion";
      case INGEST -> "With " + num(ingestRate) + " documents/s";
      case FIXED -> "With " + num(ingestRate) + " documents/s, admission as before #25 (fixed, nothing stale)";
      case YIELDING -> "With " + num(ingestRate) + " documents/s, the service at nice "
          + CapacityPass.Kind.YIELDING_NICENESS + " (the indexing weighs twice the service for the CPU)";
    };
  }

  private void table(StringBuilder md, CapacityPass p) {
    md.append("| ").append(String.join(" | ", COLUMNS)).append(" |\n|");
    md.append("---|".repeat(COLUMNS.length)).append('\n');
    if (p.reference() != null) {
      row(md, p, p.reference());
    }
    p.ladder().forEach(s -> row(md, p, s));
    if (p.beyond() != null) {
      row(md, p, p.beyond());
    }
  }

  private void row(StringBuilder md, CapacityPass p, CapacityStep s) {
    List<Function<CapacityStep, String>> cells = List.of(
        step -> stepLabel(p, step),
        step -> num1(step.offered()),
        step -> num1(step.goodput()),
        step -> pct(step.cacheShare()),
        step -> latency(step.answeredMs()),
        step -> latency(step.allMs()),
        step -> refused(step),
        step -> Long.toString(step.failed(0)),
        step -> Long.toString(step.retryAfterMissing()),
        step -> step.answered() == 0 ? "-" : pct(step.staleShare()) + " (" + step.maxStaleMs() + ")",
        step -> freshness(step.freshness()),
        step -> step.breakersOpened().isEmpty() && step.breakerSkipped() == 0 ? "none" : String.join(", ",
            step.breakersOpened()) + (step.breakerSkipped() == 0 ? "" : " (" + step.breakerSkipped()
            + " answers skipped an open breaker's retriever)"),
        step -> pct(step.cpu().machineMean()) + " / " + pct(step.cpu().machineMax()),
        step -> String.join(" / ", num2(step.cpu().serviceCores()), num2(step.cpu().flinkCores()),
            num2(step.cpu().benchCores()), num2(step.cpu().restCores(cores))),
        step -> switch (step.kind()) {
          case REFERENCE -> "-";
          case LADDER -> targets(step);
          case BEYOND -> "judged by target 2";
        });
    md.append('|');
    cells.forEach(c -> md.append(' ').append(c.apply(s)).append(" |"));
    md.append('\n');
  }

  private String stepLabel(CapacityPass p, CapacityStep s) {
    return switch (s.kind()) {
      case REFERENCE -> "no search load (freshness reference)";
      case LADDER -> num(s.rate()) + "/s";
      case BEYOND -> num(s.rate()) + "/s, " + num(beyondKnee) + " × the knee" + (p.ladder().stream()
          .anyMatch(l -> l.rate() == s.rate()) ? " (also a ladder step)" : " (not a ladder step)");
    };
  }

  private static String latency(CapacityStep.Latency l) {
    return String.join(" / ", num1(l.p50()), num1(l.p95()), num1(l.p99()));
  }

  private static String refused(CapacityStep s) {
    SortedMap<Integer, SortedMap<String, Long>> refused = new TreeMap<>(s.failures());
    refused.remove(0);
    return refused.isEmpty() ? "0" : CapacityTargets.failures(refused);
  }

  private static String freshness(CapacityStep.Freshness f) {
    return f.sent() == 0 ? "-" : num1(f.p50()) + " / " + num1(f.p95()) + " (" + f.seen() + " / " + f.sent() + ")";
  }

  private static String targets(CapacityStep s) {
    List<String> misses = CapacityTargets.misses(s);
    return misses.isEmpty() ? "met" : "NOT met: " + String.join("; ", misses);
  }

  private String kneeLine(CapacityPass p) {
    Optional<CapacityStep> knee = CapacityTargets.knee(p.ladder());
    if (knee.isPresent()) {
      return "**Knee: " + num(knee.get().rate()) + " requests/s** (answered " + num1(knee.get().goodput()) + "/s).";
    }
    return p.ladder().stream().min(Comparator.comparingDouble(CapacityStep::rate))
        .map(first -> "**Knee: none**: the lowest rate, " + num(first.rate()) + " requests/s, missed the seed's targets ("
            + String.join("; ", CapacityTargets.misses(first)) + ").")
        .orElse("**Knee: none** (no step ran).");
  }

  private String beyondLine(CapacityPass p) {
    if (p.beyond() != null) {
      return "Beyond the knee: " + num(p.beyond().rate()) + " requests/s = " + num(beyondKnee) + " × the knee, after "
          + "the ladder's last answers were in and a warm-up at that rate.";
    }
    return "Beyond the knee: not run (" + (beyondKnee == 0 ? "--beyond-knee 0"
        : CapacityTargets.knee(p.ladder()).isEmpty() ? "no knee" : "no step ran") + ").";
  }

  private String cpu(CpuWatch.Cpu c) {
    return String.format(Locale.ROOT, "machine busy %s (busiest second %s, %d of %d seconds >= 95 %%); cores: the service "
        + "%.2f, Flink %.2f, this benchmark %.2f, the rest (engines, other work) %.2f of %d", pct(c.machineMean()),
        pct(c.machineMax()), c.saturatedSeconds(), c.sampledSeconds(), c.serviceCores(), c.flinkCores(), c.benchCores(),
        c.restCores(cores), cores);
  }
}
