package dev.companionbrain.bench;

import java.util.List;
import java.util.Locale;

/**
 * Measures the steps of one capacity pass, back to back on the same query service: at a step's start it
 * reads the service's breakers, starts a CPU watch and points the document stream's probes at the
 * step's figures; at its end it reads the breakers again (the next step's start when they follow each
 * other) and prints the step's one progress line.
 */
final class StepMeter {
  /** A step whose sending is over; its answers may still be arriving into its figures. */
  record Measured(CapacityStep.Kind kind, double rate, double seconds, CacheFigures figures, List<String> breakersOpened,
      CpuWatch.Cpu cpu) {
    /** The step as its figures say now (once the mix has no answer in flight: for good). */
    CapacityStep step() {
      return CapacityStep.of(kind, rate, seconds, figures, breakersOpened, cpu);
    }
  }

  private final String label;
  private final String base;
  private final String adminKey;
  private final long servicePid;
  private final List<Long> flinkPids;
  private final DocumentStream stream;
  private BreakerStates last;
  private long lastTo = Long.MIN_VALUE;

  /**
   * @param label the pass's name in the progress lines
   * @param stream the pass's document stream (null: none)
   */
  StepMeter(String label, String base, String adminKey, long servicePid, List<Long> flinkPids, DocumentStream stream) {
    this.label = label;
    this.base = base;
    this.adminKey = adminKey;
    this.servicePid = servicePid;
    this.flinkPids = flinkPids;
    this.stream = stream;
  }

  /** Measures the step from {@code from} to {@code to} ({@link System#nanoTime()}) into {@code figures}. */
  Measured measure(CapacityStep.Kind kind, double rate, long from, long to, CacheFigures figures)
      throws InterruptedException {
    OpenLoopMix.sleepUntil(from);
    if (stream != null) {
      stream.probesInto(figures);
    }
    BreakerStates before = from == lastTo ? last : BreakerStates.read(base, adminKey);
    CpuWatch watch = new CpuWatch(servicePid, flinkPids);
    OpenLoopMix.sleepUntil(to);
    CpuWatch.Cpu cpu = watch.stop();
    last = BreakerStates.read(base, adminKey);
    lastTo = to;
    Measured m = new Measured(kind, rate, (to - from) / 1e9, figures, BreakerStates.opened(before, last), cpu);
    System.out.println("  " + progress(m));
    return m;
  }

  /** From now until the next step, the probes produced are not recorded (a warm-up, the last answers' wait). */
  void idle() {
    if (stream != null) {
      stream.probesInto(null);
    }
  }

  private String progress(Measured m) {
    CacheFigures f = m.figures();
    String probes = f.probes() == 0 ? "" : String.format(Locale.ROOT, ", freshness p95 %.0f ms (%d probes seen so far)",
        f.freshnessMs(95), f.probes() - f.probesUnseen());
    if (m.kind() == CapacityStep.Kind.REFERENCE) {
      return label + ", no search load: machine " + ReportFormat.pct(m.cpu().machineMean()) + " busy" + probes;
    }
    return String.format(Locale.ROOT, "%s, %s/s%s: %d sent, %d answered 200, %.1f %% from cache, p95 %.1f ms, "
        + "p99 %.1f ms, %d not 200 so far, machine %.0f %% busy%s%s", label, ReportFormat.num(m.rate()),
        m.kind() == CapacityStep.Kind.BEYOND ? " (beyond the knee)" : "", f.sentCount(), f.answered(),
        100 * f.cacheShare(), f.answeredMs(95), f.answeredMs(99), f.failures(), 100 * m.cpu().machineMean(), probes,
        m.breakersOpened().isEmpty() ? "" : ", breakers opened: " + String.join(", ", m.breakersOpened()));
  }
}
