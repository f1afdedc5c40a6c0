package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.bench.CacheBenchmark.Outcome;
import dev.companionbrain.bench.CacheBenchmark.Scenario;
import dev.companionbrain.bench.CpuWatch.Cpu;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.TestCollection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The pure parts of {@code brain bench cache}: the Zipf sampler, the figures' arithmetic, /proc/stat
 * parsing, the streamed documents, the scenarios and their verdicts.
 */
class CacheBenchmarkTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void zipfProbabilitiesAreOneOverRankNormalised() {
    ZipfSampler zipf = new ZipfSampler(225, 1.0);
    double harmonic = 0;
    for (int r = 1; r <= 225; r++) {
      harmonic += 1.0 / r;
    }
    assertThat(zipf.probability(0)).isCloseTo(1 / harmonic, offset(1e-12));
    assertThat(zipf.probability(9)).isCloseTo(1 / (10 * harmonic), offset(1e-12));
    double sum = 0;
    for (int r = 0; r < 225; r++) {
      sum += zipf.probability(r);
    }
    assertThat(sum).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void zipfSamplesFollowTheDistributionAndTheSeed() {
    ZipfSampler zipf = new ZipfSampler(225, 1.0);
    int draws = 200_000;
    int[] counts = new int[225];
    Random random = new Random(12);
    for (int i = 0; i < draws; i++) {
      counts[zipf.sample(random)]++;
    }
    // 200k draws: the standard error of the top rank's share is under 0.001
    assertThat(counts[0] / (double) draws).isCloseTo(zipf.probability(0), offset(0.005));
    assertThat(counts[1] / (double) draws).isCloseTo(zipf.probability(1), offset(0.005));
    assertThat(counts[224]).isPositive();
    assertThat(counts[0]).isGreaterThan(counts[1]).isGreaterThan(counts[9]);

    Random a = new Random(7);
    Random b = new Random(7);
    for (int i = 0; i < 100; i++) {
      assertThat(zipf.sample(a)).isEqualTo(zipf.sample(b));
    }
  }

  @Test
  void zipfWithOneRankAlwaysAnswersIt() {
    ZipfSampler one = new ZipfSampler(1, 1.0);
    assertThat(one.sample(new Random(1))).isZero();
    assertThat(one.probability(0)).isEqualTo(1.0);
  }

  @Test
  void cacheShareCountsL1AndL2AmongThe200Answers() {
    CacheFigures f = new CacheFigures(250);
    for (int i = 0; i < 90; i++) {
      f.answer(200, "l1", 0, 1_000);
    }
    for (int i = 0; i < 6; i++) {
      f.answer(200, "l2", 0, 2_000);
    }
    f.answer(200, "miss", 0, 30_000);
    f.answer(200, "bypass", 0, 30_000);
    f.answer(200, null, 0, 30_000); // a service without the field
    f.answer(200, "miss", 0, 30_000);
    f.answer(429, null, 0, 500);
    f.answer(0, null, 0, 10_000_000); // no answer

    assertThat(f.answered()).isEqualTo(100);
    assertThat(f.failures()).isEqualTo(2);
    assertThat(f.failuresByStatus()).isEqualTo("none x1, 429 x1");
    assertThat(f.cacheShare()).isCloseTo(0.96, offset(1e-12));
    assertThat(f.share("l1")).isCloseTo(0.90, offset(1e-12));
    assertThat(f.share("l2")).isCloseTo(0.06, offset(1e-12));
    assertThat(f.share("miss")).isCloseTo(0.02, offset(1e-12));
    assertThat(f.share("bypass")).isCloseTo(0.01, offset(1e-12));
    assertThat(f.share("")).isCloseTo(0.01, offset(1e-12));
  }

  @Test
  void percentilesAreInMillisecondsAndCachedOnesLeaveMissesOut() {
    CacheFigures f = new CacheFigures(250);
    for (int ms = 1; ms <= 100; ms++) {
      f.answer(200, "l1", 0, ms * 1000L);
    }
    f.answer(200, "miss", 0, 900_000);
    // HdrHistogram with 3 significant digits: within 0.1 %
    assertThat(f.cachedMs(50)).isCloseTo(50, offset(0.1));
    assertThat(f.cachedMs(99)).isCloseTo(99, offset(0.1));
    assertThat(f.cachedMs(100)).isCloseTo(100, offset(0.1));
    assertThat(f.allMs(100)).isCloseTo(900, offset(1.0));
    assertThat(new CacheFigures(250).cachedMs(99)).isNaN();
  }

  @Test
  void staleAnswersPastTheBoundAreCounted() {
    CacheFigures f = new CacheFigures(250);
    f.answer(200, "l1", 0, 1_000);
    f.answer(200, "l1", 250, 1_000); // at the bound: allowed
    f.answer(200, "l2", 251, 1_000);
    f.answer(200, "l1", 4_000, 1_000);
    assertThat(f.pastBound()).isEqualTo(2);
    assertThat(f.maxStaleMs()).isEqualTo(4_000);
  }

  @Test
  void freshnessIsOverTheProbesSeen() {
    CacheFigures f = new CacheFigures(250);
    for (long ms = 100; ms <= 2_000; ms += 100) {
      f.probeSeen(ms);
    }
    f.probeUnseen();
    assertThat(f.probes()).isEqualTo(21);
    assertThat(f.probesUnseen()).isEqualTo(1);
    assertThat(f.freshnessMs(50)).isCloseTo(1_000, offset(1.0));
    assertThat(f.freshnessMs(95)).isCloseTo(1_900, offset(2.0));
  }

  @Test
  void machineBusyShareLeavesIdleAndIowaitOutAndCountsStolenTimeApart() {
    long[] before = MachineCpu.parseMachine("cpu  100 0 50 800 50 0 0 10 0 0");
    long[] after = MachineCpu.parseMachine("cpu  250 0 100 900 50 0 0 40 0 0");
    assertThat(before).containsExactly(160, 1010, 10);
    assertThat(MachineCpu.busyShare(before, after)).isCloseTo(230.0 / 330, offset(1e-12));
    assertThat(MachineCpu.stolenShare(before, after)).isCloseTo(30.0 / 330, offset(1e-12));
    assertThat(MachineCpu.stolenShare(after, after)).isNaN();
    assertThat(MachineCpu.busyShare(after, after)).isNaN();
  }

  @Test
  void theStreamWritesUpsertsWithOrWithoutAVectorAndDeletes() throws Exception {
    JsonNode plain = JSON.readTree(DocumentJson.upsert("bench-J-1", "Title \"quoted\"", "Body", null));
    assertThat(plain.get("op").asText()).isEqualTo("upsert");
    assertThat(plain.get("title").asText()).isEqualTo("Title \"quoted\"");
    assertThat(plain.get("tags")).isEmpty();
    assertThat(plain.has("vector")).isFalse();
    JsonNode withVector = JSON.readTree(DocumentJson.upsert("bench-V-1", "T", "B", new float[] {0.25f, -0.5f}));
    assertThat(withVector.get("vector")).hasSize(2);
    assertThat(withVector.get("vector").get(1).floatValue()).isEqualTo(-0.5f);
    JsonNode delete = JSON.readTree(DocumentJson.delete("bench-D-4"));
    assertThat(delete.get("op").asText()).isEqualTo("delete");
    assertThat(delete.get("id").asText()).isEqualTo("bench-D-4");
    assertThat(delete.size()).isEqualTo(2);
  }

  @Test
  void theEmbeddedTextIsTheDocumentsTitleAndBodyAsTheJobEmbedsThem() {
    assertThat(CacheBenchmark.embeddingText(new CollectionDocument("1", "Wing", "flutter"))).isEqualTo("Wing. flutter");
    assertThat(CacheBenchmark.embeddingText(new CollectionDocument("2", "", "flutter"))).isEqualTo("flutter");
    assertThat(CacheBenchmark.embeddingText(new CollectionDocument("3", "Wing", ""))).isEqualTo("Wing");
  }

  @Test
  void theDeleteScenarioStreamsTheDocumentsRelevantToThePopularQueriesOnce() {
    List<CollectionDocument> docs = List.of(new CollectionDocument("1", "a", "a"), new CollectionDocument("2", "b", "b"),
        new CollectionDocument("3", "c", "c"), new CollectionDocument("4", "d", "d"));
    TestCollection c = new TestCollection("t", docs, List.of(new CollectionQuery("q1", "a"),
        new CollectionQuery("q2", "b"), new CollectionQuery("q3", "d")),
        Map.of("q1", Map.of("2", 1), "q2", Map.of("2", 2, "3", 1, "99", 1), "q3", Map.of("4", 1)));
    assertThat(CacheBenchmark.popularTexts(c, docs, 2)).extracting(CollectionDocument::id).containsExactly("2", "3");
    assertThat(CacheBenchmark.popularTexts(c, docs, 10)).extracting(CollectionDocument::id).containsExactly("2", "3", "4");
    assertThat(CacheBenchmark.popularTexts(new TestCollection("none", docs, List.of(), Map.of()), docs, 5)).isEqualTo(docs);
  }

  @Test
  void byDefaultAllFiveScenariosRunTwoMinutesEachAndOnlyRJudgesNothing() {
    CacheBenchmark bench = new CacheBenchmark();
    new CommandLine(bench).parseArgs("--collection", "x");
    assertThat(bench.scenarios).containsExactly(Scenario.B, Scenario.R, Scenario.J, Scenario.V, Scenario.D);
    assertThat(bench.seconds).isGreaterThanOrEqualTo(120);
    assertThat(Scenario.values()).filteredOn(s -> !s.judging).containsExactly(Scenario.R);
    assertThat(bench.title(Scenario.V)).isEqualTo("judging, 100 documents/s with supplied vectors");
    assertThat(bench.title(Scenario.R)).isEqualTo("judging off (today's rule), 10 documents/s with embedding");
    assertThat(bench.title(Scenario.D)).isEqualTo("judging, 10 documents/s with embedding, 1 in 3 a delete");
    new CommandLine(bench).parseArgs("--collection", "x", "--scenarios", "J,D", "--fast-ingest-rate", "50");
    assertThat(bench.scenarios).containsExactly(Scenario.J, Scenario.D);
    assertThat(bench.fastIngestRate).isEqualTo(50);
  }

  @Test
  void aRunComparingInstanceCountsNamesEachColumnByItsCountAndRefusesABadCount() throws Exception {
    CacheBenchmark bench = new CacheBenchmark();
    new CommandLine(bench).parseArgs("--collection", "x", "--query-services", "1,3", "--redis-cluster");
    assertThat(bench.queryServices).containsExactly(1, 3);
    assertThat(bench.redisCluster).isTrue();
    JudgingFigures none = JudgingFigures.between(PrometheusText.empty(), PrometheusText.empty(), 100);
    String report = bench.report(List.of(outcome(Scenario.J, 1, 0.96, none, 0, 0), outcome(Scenario.J, 3, 0.90, none, 0, 0)));
    assertThat(report).contains("| J ×1: judging, 10 documents/s with embedding | J ×3: judging, 10 documents/s with "
        + "embedding, 3 instances |", "--query-services 1,3 --redis-cluster`", "| from cache (l1 + l2) | 96.0 % | 90.0 % |");
    assertThat(bench.verdicts(List.of(outcome(Scenario.J, 3, 0.90, none, 0, 0))).get(0)).startsWith("J ×3 (");

    CacheBenchmark one = new CacheBenchmark();
    new CommandLine(one).parseArgs("--collection", "x");
    assertThat(one.queryServices).containsExactly(1);
    assertThat(one.report(List.of(outcome(Scenario.J, 0.96, none, 0, 0)))).contains("| J: judging").doesNotContain("×");

    CacheBenchmark bad = new CacheBenchmark();
    new CommandLine(bad).parseArgs("--collection", "x", "--query-services", "0");
    org.assertj.core.api.Assertions.assertThatThrownBy(bad::call).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--query-services takes counts from 1 to 16");
  }

  @Test
  void theVerdictsAreTheIssuesTargetsForTheScenariosThatHaveThem() {
    CacheBenchmark bench = new CacheBenchmark();
    new CommandLine(bench).parseArgs("--collection", "x");
    String audits = "brain_cache_audits_total{result=\"same\"} 995\nbrain_cache_audits_total{result=\"differ\"} 5\n";
    JudgingFigures audited = JudgingFigures.between(PrometheusText.empty(), PrometheusText.parse(audits), 100);
    JudgingFigures none = JudgingFigures.between(PrometheusText.empty(), PrometheusText.empty(), 100);
    List<String> verdicts = bench.verdicts(List.of(
        outcome(Scenario.B, 0.99, none, 0, 0),
        outcome(Scenario.R, 0.60, none, 0, 0),
        outcome(Scenario.J, 0.96, audited, 0, 0),
        outcome(Scenario.V, 0.79, audited, 0, 0),
        outcome(Scenario.D, 0.95, none, 400, 1)));
    assertThat(verdicts).hasSize(4);
    assertThat(verdicts.get(0)).startsWith("R (").doesNotContain("audited").doesNotContain("95 %");
    assertThat(verdicts.get(1)).startsWith("J (").contains("from cache >= 95 % met", "freshness p95 <= 1.5 s met",
        "audited differ <= 1 % met");
    assertThat(verdicts.get(2)).startsWith("V (").contains("from cache >= 80 % NOT met");
    assertThat(verdicts.get(3)).startsWith("D (").contains("0 answers with a deleted document NOT met",
        "audited differ <= 1 % not measured");
  }

  private static Outcome outcome(Scenario s, double cacheShare, JudgingFigures judging, long deleted, long deletedAnswers) {
    return outcome(s, 1, cacheShare, judging, deleted, deletedAnswers);
  }

  private static Outcome outcome(Scenario s, int instances, double cacheShare, JudgingFigures judging, long deleted,
      long deletedAnswers) {
    CacheFigures f = new CacheFigures(500);
    int cached = (int) Math.round(cacheShare * 100);
    for (int i = 0; i < 100; i++) {
      f.answer(200, i < cached ? "l1" : "miss", 0, 1_000);
    }
    if (s.ingest) {
      f.probeSeen(1_000);
    }
    return new Outcome(s, instances, f, s.ingest ? 1_000 : 0, deleted, 1.0, new Cpu(0.5, 0.9, 0, 120, 0.5, 0.5, 0.1), 50, judging,
        deletedAnswers, 0);
  }
}
