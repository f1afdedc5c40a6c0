package dev.companionbrain.bench;

import static dev.companionbrain.bench.CapacityFixtures.failing;
import static dev.companionbrain.bench.CapacityFixtures.passing;
import static dev.companionbrain.bench.CapacityFixtures.reference;
import static dev.companionbrain.bench.CapacityFixtures.withFreshness;
import static dev.companionbrain.bench.CapacityFixtures.withKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.bench.CacheFigures.Reply;
import dev.companionbrain.bench.CapacityStep.Freshness;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code brain bench capacity} without engines: its options, what the mix reads of a response, the
 * figures of a step, and the report.
 */
class CapacityBenchmarkTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theDefaultsAreTheIssuesRun() {
    CapacityBenchmark bench = parse("--collection", "x");
    assertThat(bench.clients).isEqualTo(50);
    assertThat(bench.rates).containsExactly(10.0, 25.0, 50.0, 100.0, 200.0);
    assertThat(bench.stepSeconds).isEqualTo(30);
    assertThat(bench.warmup).isEqualTo(10);
    assertThat(bench.zipf).isEqualTo(1.0);
    assertThat(bench.noCacheShare).isEqualTo(0.05);
    assertThat(bench.ingestRate).isEqualTo(10);
    assertThat(bench.probeEveryMs).isEqualTo(2000);
    assertThat(bench.pollMs).isEqualTo(200);
    assertThat(bench.probeTimeout).isEqualTo(30);
    assertThat(bench.passes).containsExactly(CapacityPass.Kind.NONE, CapacityPass.Kind.INGEST);
    assertThat(bench.beyondKnee).isEqualTo(2);
    assertThat(bench.stack.taskManagers).isEqualTo(1);
    bench.checkOptions();
  }

  @Test
  void ratesAndPassesAreCommaSeparated() {
    CapacityBenchmark bench = parse("--collection", "x", "--rates", "5,12.5,40", "--passes", "ingest", "--beyond-knee", "0");
    assertThat(bench.rates).containsExactly(5.0, 12.5, 40.0);
    assertThat(bench.passes).containsExactly(CapacityPass.Kind.INGEST);
    assertThat(bench.beyondKnee).isZero();
    assertThatThrownBy(() -> parse("--collection", "x", "--passes", "none,both"))
        .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("a pass is none, ingest, fixed or yielding, not both");
  }

  @Test
  void theFixedPassStreamsDocumentsToAServiceWithTheAdmissionOfBefore() {
    assertThat(parse("--collection", "x", "--passes", "ingest,fixed").passes)
        .containsExactly(CapacityPass.Kind.INGEST, CapacityPass.Kind.FIXED);
    assertThat(CapacityPass.Kind.FIXED.ingests()).isTrue();
    assertThat(CapacityPass.Kind.INGEST.ingests()).isTrue();
    assertThat(CapacityPass.Kind.NONE.ingests()).isFalse();
    assertThat(CapacityPass.Kind.FIXED.serviceSettings(64))
        .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("BRAIN_COMPUTE_LIMIT", "64", "BRAIN_SATURATED_MAX_STALENESS_MS", "0"));
    assertThat(CapacityPass.Kind.INGEST.serviceSettings(64)).isEmpty();
    assertThat(CapacityPass.Kind.NONE.serviceSettings(64)).isEmpty();
  }

  @Test
  void aLadderClimbs() {
    assertThatThrownBy(() -> parse("--collection", "x", "--rates", "10,50,25").checkOptions())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("each above the one before");
    assertThatThrownBy(() -> parse("--collection", "x", "--rates", "10,10").checkOptions())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("--collection", "x", "--rates", "0,10").checkOptions())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> parse("--collection", "x", "--clients", "0").checkOptions())
        .isInstanceOf(IllegalArgumentException.class);
    parse("--collection", "x", "--rates", "1").checkOptions();
  }

  @Test
  void theReportsCommandLineHasEveryOptionAndRunsAsIs() {
    CapacityBenchmark bench = parse("--collection", "../shared/data/cranfield", "--clients", "20", "--rates", "5,12.5",
        "--passes", "ingest", "--no-cache-share", "0.1", "--seed", "7");
    String line = bench.commandLine();
    assertThat(line).isEqualTo("./brain bench capacity --collection ../shared/data/cranfield --clients 20 --rates 5,12.5 "
        + "--step-seconds 30 --warmup 10 --zipf 1 --no-cache-share 0.1 --ingest-rate 10 --probe-every-ms 2000 "
        + "--poll-ms 200 --probe-timeout 30 --seed 7 --passes ingest --beyond-knee 2 --task-managers 1 "
        + "--jar jobs/target/companion-brain-jobs.jar");
    String[] args = line.substring("./brain bench capacity ".length()).split(" ");
    assertThat(parse(args).commandLine()).isEqualTo(line);
    assertThat(parse("--collection", "x", "--service-classpath", "other/classes").commandLine())
        .endsWith(" --jar jobs/target/companion-brain-jobs.jar --service-classpath other/classes");
  }

  @Test
  void theMixReadsStatusCodeRetryAfterCacheStalenessAndOpenBreakers() throws Exception {
    assertThat(OpenLoopMix.reply(429, true, json("{\"error\":{\"code\":\"too_many_requests\",\"message\":\"m\"}}")))
        .isEqualTo(new Reply(429, "too_many_requests", true, null, 0, false));
    assertThat(OpenLoopMix.reply(503, false, json("{\"error\":{\"code\":\"backends_unavailable\"}}")).errorCode())
        .isEqualTo("backends_unavailable");
    assertThat(OpenLoopMix.reply(502, false, null)).isEqualTo(new Reply(502, null, false, null, 0, false));
    assertThat(OpenLoopMix.reply(200, false, json("{\"cache\":\"l2\",\"stale_ms\":120,\"degraded\":[]}")))
        .isEqualTo(new Reply(200, null, false, "l2", 120, false));
    assertThat(OpenLoopMix.reply(200, false, json("{\"cache\":\"miss\",\"degraded\":[{\"retriever\":\"vector\","
        + "\"reason\":\"timeout\"},{\"retriever\":\"text\",\"reason\":\"circuit_open\"}]}")).breakerSkipped()).isTrue();
    assertThat(OpenLoopMix.reply(200, false, json("{\"degraded\":[{\"retriever\":\"vector\",\"reason\":\"timeout\"}]}"))
        .breakerSkipped()).isFalse();
    assertThat(OpenLoopMix.reply(200, false, null)).isEqualTo(Reply.NONE);
  }

  @Test
  void aStepsFiguresCountRefusalsByCodeMissingRetryAfterAndStaleAnswers() {
    CacheFigures f = new CacheFigures(500);
    for (int i = 0; i < 12; i++) {
      f.sent();
    }
    f.probeSeen(800);
    f.probeSeen(1_200);
    f.probeUnseen();
    f.answer(new Reply(200, null, false, "l1", 0, false), 2_000);
    f.answer(new Reply(200, null, false, "l2", 40, false), 4_000);
    f.answer(new Reply(200, null, false, "miss", 600, true), 300_000);
    f.answer(new Reply(200, null, false, "bypass", 0, false), 100_000);
    f.answer(new Reply(200, null, false, "l1", 0, false), 2_000);
    f.answer(new Reply(429, "too_many_requests", true, null, 0, false), 1_000);
    f.answer(new Reply(429, "too_many_requests", true, null, 0, false), 1_000);
    f.answer(new Reply(429, "too_many_requests", false, null, 0, false), 1_000);
    f.answer(new Reply(503, "backends_unavailable", false, null, 0, false), 900_000);
    f.answer(new Reply(503, null, false, null, 0, false), 900_000);
    f.answer(Reply.NONE, 10_000_000);

    assertThat(f.failuresByStatus()).isEqualTo("none x1, 429 x3, 503 x2");
    assertThat(f.failuresByCode()).isEqualTo(Map.of(0, Map.of("", 1L), 429, Map.of("too_many_requests", 3L),
        503, Map.of("backends_unavailable", 1L, "", 1L)));
    assertThat(f.retryAfterMissing()).isEqualTo(1);
    assertThat(f.staleAnswers()).isEqualTo(2); // of 5
    assertThat(f.pastBound()).isEqualTo(1);
    assertThat(f.breakerSkipped()).isEqualTo(1);
    assertThat(f.answeredMs(100)).isCloseTo(300, offset(0.5)); // the 200s only
    assertThat(f.allMs(100)).isCloseTo(10_000, offset(10.0));

    CapacityStep s = CapacityStep.of(CapacityStep.Kind.LADDER, 0.5, 20, f, List.of("text"), CapacityFixtures.CPU);
    assertThat(s.sent()).isEqualTo(12);
    assertThat(s.offered()).isEqualTo(0.6);
    assertThat(s.goodput()).isEqualTo(0.25);
    assertThat(s.notAnswered()).isEqualTo(7);
    assertThat(s.answeredMs().p99()).isCloseTo(300, offset(0.5));
    assertThat(s.answeredMs().p50()).isCloseTo(4, offset(0.01)); // 2, 2, 4, 100, 300
    assertThat(s.allMs().p99()).isCloseTo(10_000, offset(10.0));
    assertThat(s.failed(503)).isEqualTo(2);
    assertThat(s.failed(0)).isEqualTo(1);
    assertThat(s.failed(500)).isZero();
    assertThat(s.staleShare()).isEqualTo(0.4);
    assertThat(s.maxStaleMs()).isEqualTo(600);
    assertThat(s.cacheShare()).isEqualTo(0.6);
    assertThat(s.breakersOpened()).containsExactly("text");
    assertThat(s.freshness().seen()).isEqualTo(2);
    assertThat(s.freshness().sent()).isEqualTo(3);
    assertThat(s.freshness().unseen()).isEqualTo(1);
    assertThat(s.freshness().p50()).isCloseTo(800, offset(1.0));
    assertThat(s.freshness().p95()).isCloseTo(1_200, offset(1.0));
    assertThat(CapacityStep.of(CapacityStep.Kind.LADDER, 1, 1, new CacheFigures(0), List.of(), CapacityFixtures.CPU)
        .freshness()).isEqualTo(new Freshness(Double.NaN, Double.NaN, 0, 0));
  }

  @Test
  void theYieldingPassStreamsToTheCatalogueServiceStartedUnderNice() {
    assertThat(parse("--collection", "x", "--passes", "ingest,yielding").passes)
        .containsExactly(CapacityPass.Kind.INGEST, CapacityPass.Kind.YIELDING);
    assertThat(CapacityPass.Kind.YIELDING.ingests()).isTrue();
    assertThat(CapacityPass.Kind.YIELDING.serviceSettings(64)).isEmpty();
    assertThat(CapacityPass.Kind.YIELDING.serviceNiceness()).isEqualTo(3);
    assertThat(CapacityPass.Kind.INGEST.serviceNiceness()).isZero();
    assertThat(CapacityPass.Kind.FIXED.serviceNiceness()).isZero();
    assertThat(CapacityPass.Kind.NONE.serviceNiceness()).isZero();
    List<String> niced = ServiceProcess.command("cp", 3);
    assertThat(niced.subList(0, 3)).containsExactly("nice", "-n", "3");
    assertThat(niced.subList(4, niced.size())).containsExactly("-Xmx1g", "-cp", "cp", "dev.companionbrain.query.QueryService");
    assertThat(niced.get(3)).endsWith("/bin/java");
    assertThat(ServiceProcess.command("cp", 0)).hasSize(5).first().asString().endsWith("/bin/java");
    assertThatThrownBy(() -> ServiceProcess.command("cp", -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("privileges");
    CapacityPass yielding = new CapacityPass(CapacityPass.Kind.YIELDING, reference(1000, 15, 15),
        List.of(failing(50)), null);
    String md = new CapacityReport("c", "s", 50, 10, 2, 2).markdown("t", List.of(yielding), "c.svg");
    assertThat(md).contains("## With 10 documents/s, the service at nice 3 (the indexing weighs twice the service for "
        + "the CPU)\n");
    assertThat(md).contains("with no search load): not measured (the ingest pass did not run)\n"
        + "   - With 10 documents/s, the service at nice 3 (the indexing weighs twice the service for the CPU): NOT met");
  }

  @Test
  void theReportHasARowPerStepTheKneesAndTheTargetsVerdicts() {
    CapacityStep beyond = withKind(CapacityFixtures.step(100, 3000, 1800, 400, 900), CapacityStep.Kind.BEYOND);
    CapacityPass none = new CapacityPass(CapacityPass.Kind.NONE, null, List.of(passing(10), passing(25), passing(50),
        failing(100)), beyond);
    CapacityPass ingest = new CapacityPass(CapacityPass.Kind.INGEST, reference(1000, 15, 15), List.of(failing(10),
        withFreshness(passing(50), new Freshness(900, 1500, 15, 15))), null);
    CapacityReport report = new CapacityReport("./brain bench capacity --collection x", "Setup.", 50, 10, 2, 2);
    String md = report.markdown("2026-12-03T10:00", List.of(none, ingest), "capacity-2026-12-03T10-00.svg");

    assertThat(md).startsWith("# Capacity 2026-12-03T10:00\n\n`./brain bench capacity --collection x`\n\nSetup.\n\n"
        + "![goodput and p95 of the answered against offered load](capacity-2026-12-03T10-00.svg)\n");
    assertThat(md).contains("## No ingestion\n", "## With 10 documents/s\n");
    assertThat(md.lines().filter(l -> l.startsWith("| 10/s |"))).hasSize(2);
    assertThat(md.lines().filter(l -> l.startsWith("| 100/s, 2 × the knee (also a ladder step) |"))).hasSize(1);
    assertThat(md.lines().filter(l -> l.startsWith("| no search load (freshness reference) |"))).hasSize(1);
    assertThat(md).contains("**Knee: 50 requests/s** (answered 50.0/s).");
    assertThat(md).contains("**Knee: none**: the lowest rate, 10 requests/s, missed the seed's targets "
        + "(p95 250.0 ms >= 200 ms).");
    assertThat(md).contains("Beyond the knee: not run (no knee).");
    assertThat(md).contains("\n\nBeyond the knee: 100 requests/s = 2 × the knee, after the ladder's last answers were in "
        + "and a warm-up at that rate.\n\n");
    assertThat(md).contains("): met (50 requests/s from 50 clients with 10 documents/s: not 200 0 of 1500");
    assertThat(md).contains("   - No ingestion: met (at 100 requests/s, 2 × the knee 50:");
    assertThat(md).doesNotContain("nice 3");
    assertThat(md).contains("   - With 10 documents/s: not measured (no knee: the lowest rate missed the seed's targets)");
    assertThat(md).contains("- No ingestion: at 50 requests/s, machine busy 50.0 % (busiest second 90.0 %, 1 of 30 "
        + "seconds >= 95 %); cores: the service 0.40, Flink 0.20, this benchmark 0.10, the rest (engines, other work) "
        + "0.30 of 2");
    assertThat(md).contains("| 10/s | 10.0 | 10.0 | 90.0 % | 5.0 / 50.0 / 100.0 | 5.0 / 50.0 / 100.0 | 0 | 0 | 0 "
        + "| 0.0 % (0) | - | none | 50.0 % / 90.0 % | 0.40 / 0.20 / 0.10 / 0.30 | met |\n");
    assertThat(md).contains("| no search load (freshness reference) | 0.0 | 0.0 | - | - / - / - | - / - / - | 0 | 0 | 0 "
        + "| - | 500.0 / 1000.0 (15 / 15) | none | 50.0 % / 90.0 % | 0.40 / 0.20 / 0.10 / 0.30 | - |\n");
    String beyondRow = md.lines().filter(l -> l.startsWith("| 100/s, 2 ×")).findFirst().orElseThrow();
    assertThat(beyondRow).contains("| 100.0 | 60.0 |", "| 429 too_many_requests x1200 |").endsWith("| judged by target 2 |");
    String failingRow = md.lines().filter(l -> l.startsWith("| 100/s |")).findFirst().orElseThrow();
    assertThat(failingRow).endsWith("| NOT met: p95 250.0 ms >= 200 ms |");
    assertThat(Arrays.stream(beyondRow.split("\\|", -1)).count()).isEqualTo(17); // 15 columns
    CapacityStep troubled = CapacityFixtures.withBreakers(CapacityFixtures.withFailures(withKind(CapacityFixtures.step(75,
        2250, 2000, 400, 900), CapacityStep.Kind.BEYOND), CapacityFixtures.refusals(0, "", 250), 7), List.of("vector"), 3);
    CapacityPass offLadder = new CapacityPass(CapacityPass.Kind.NONE, null, List.of(passing(25), failing(50)),
        withFreshness(troubled, new Freshness(700, 1100, 9, 10)));
    String offRow = new CapacityReport("c", "s", 50, 10, 3, 2).markdown("t", List.of(offLadder), "c.svg").lines()
        .filter(l -> l.startsWith("| 75/s")).findFirst().orElseThrow();
    assertThat(offRow).isEqualTo("| 75/s, 3 × the knee (not a ladder step) | 75.0 | 66.7 | 90.0 % | 5.0 / 400.0 / 900.0 "
        + "| 5.0 / 400.0 / 900.0 | 0 | 250 | 7 | 0.0 % (0) | 700.0 / 1100.0 (9 / 10) | vector (3 answers skipped an open "
        + "breaker's retriever) | 50.0 % / 90.0 % | 0.40 / 0.20 / 0.10 / 0.30 | judged by target 2 |");
    assertThat(new CapacityReport("c", "s", 50, 10, 2, 2).markdown("t", List.of(), "c.svg"))
        .contains("no breaker opened): not measured (no pass ran)\n");
    CapacityPass noBeyond = new CapacityPass(CapacityPass.Kind.NONE, null, none.ladder(), null);
    assertThat(new CapacityReport("c", "s", 50, 10, 0, 2).markdown("t", List.of(noBeyond), "c.svg"))
        .contains("Beyond the knee: not run (--beyond-knee 0).");
    assertThat(new CapacityReport("c", "s", 50, 10, 2, 2).markdown("t", List.of(noBeyond), "c.svg"))
        .contains("Beyond the knee: not run (no step ran).");
  }

  private static CapacityBenchmark parse(String... args) {
    CapacityBenchmark bench = new CapacityBenchmark();
    new CommandLine(bench).parseArgs(args);
    return bench;
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
