package dev.companionbrain.cli;

import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.relevance.CollectionFormat;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.ModeScores;
import dev.companionbrain.core.relevance.QuerySplit;
import dev.companionbrain.core.relevance.RankingMetrics;
import dev.companionbrain.core.relevance.RelevanceEvaluation;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import dev.companionbrain.core.relevance.TypoQueries;
import dev.companionbrain.core.search.FusedHit;
import dev.companionbrain.core.search.FusionMethod;
import dev.companionbrain.core.search.Retriever;
import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.core.search.Weights;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.indexing.IndexingJob;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.query.QueryService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * Relevance evaluation on real engines: pushes a test collection through Kafka and the IndexingJob
 * into a fresh namespace, runs every judged query (clean and typo'd) through the query service's
 * HTTP API in every mode, sweeps the fusion weights on one half of the queries and reports all
 * modes on the other half.
 */
@Command(name = "eval", description = "Evaluate relevance (nDCG@10, Recall@100, MRR@10) of every mode on a test collection.")
final class Evaluate implements Callable<Integer> {
  @Option(names = "--collection", required = true, paramLabel = "DIR",
      description = "a test collection folder as distributed: SMART (e.g. ../shared/data/cranfield), CISI, MED, CACM, TREC qrels or BEIR")
  Path collection;

  @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
      description = "read the collection as smart, cisi, med, cacm, trec or beir (default: detected from its files)")
  CollectionFormat format;

  @Option(names = "--out", description = "report folder (default: reports/relevance)")
  Path out = Path.of("reports", "relevance");

  @Option(names = "--split-seed", description = "seed of the tune/test split of the queries (default 42)")
  long splitSeed = 42;

  @Option(names = "--typo-seed", description = "seed of the typo'd queries (default 7)")
  long typoSeed = 7;

  /**
   * The query texts each mode is judged on: as written, typo'd (corrected by the service as it ships)
   * and the same typo'd text with the correction switched off ({@code correct=false}), the reference
   * that shows what the correction brings. The sweep's objective is the mean of the first two.
   */
  private static final String[] VARIANTS = {"clean", "typo", "typo-uncorrected"};
  private static final Map<Retriever, String> MODES = Map.of(Retriever.TEXT, "text", Retriever.KEYWORD, "keyword",
      Retriever.VECTOR, "vector");

  @Override
  public Integer call() throws Exception {
    TestCollection c = TestCollections.read(collection, format);
    List<CollectionQuery> judged = c.judgedQueries();
    QuerySplit.Split split = QuerySplit.halves(judged, splitSeed);
    Map<String, Map<String, String>> queryText = new HashMap<>();
    queryText.put("clean", new HashMap<>());
    queryText.put("typo", new HashMap<>());
    for (CollectionQuery q : judged) {
      queryText.get("clean").put(q.id(), q.text());
      queryText.get("typo").put(q.id(), TypoQueries.typo(q.text(), typoSeed));
      queryText.computeIfAbsent("typo-uncorrected", v -> new HashMap<>()).put(q.id(), TypoQueries.typo(q.text(), typoSeed));
    }
    Files.createDirectories(out);
    long expected = EmbeddedProduct.indexable(c);
    System.out.printf("%s: %d documents (%d indexable), %d judged queries (tune %d, test %d)%n", c.name(),
        c.documents().size(), expected, judged.size(), split.tune().size(), split.test().size());

    try (LocalStack stack = LocalStack.start()) {
      Endpoints e = stack.endpoints();
      String ns = "eval-" + c.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "") + "-"
          + UUID.randomUUID().toString().substring(0, 6);
      IndexingConfig indexing = EmbeddedProduct.indexing(e, ns + "-documents", ns + "-documents.dlq", ns);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      JobClient job = IndexingJob.start(env, indexing);
      try {
        EmbeddedProduct.publish(c, indexing);
        try (ProgressBar bar = bar("indexing", expected)) {
          EmbeddedProduct.awaitIndexed(e, ns, expected, bar::stepTo);
        }
        Map<String, String> timeouts = Map.of(Setting.VECTOR_TIMEOUT_MS.variable(), "5000", Setting.TEXT_TIMEOUT_MS.variable(), "5000",
            Setting.KEYWORD_TIMEOUT_MS.variable(), "5000");
        try (QueryService service = QueryService.start(EmbeddedProduct.query(e, ns, 0, timeouts))) {
          String key = LocalKeys.create(e.redisUri(), "eval", java.util.Set.of(dev.companionbrain.core.auth.Scope.SEARCH));
          return evaluate(c, judged, split, queryText, new SearchClient(service.url(), key));
        }
      } finally {
        job.cancel().get();
      }
    }
  }

  private int evaluate(TestCollection c, List<CollectionQuery> judged, QuerySplit.Split split,
      Map<String, Map<String, String>> queryText, SearchClient client) throws Exception {
    // 1. every single mode, every query, clean and typo'd, through the HTTP API
    Map<String, Map<Retriever, Map<String, List<ScoredId>>>> lists = new HashMap<>();
    try (ProgressBar bar = bar("single modes", (long) judged.size() * VARIANTS.length * 3)) {
      for (String variant : VARIANTS) {
        Map<Retriever, Map<String, List<ScoredId>>> byRetriever = new EnumMap<>(Retriever.class);
        for (Retriever r : Retriever.values()) {
          Map<String, List<ScoredId>> byQuery = new HashMap<>();
          for (CollectionQuery q : judged) {
            byQuery.put(q.id(), client.search(queryText.get(variant).get(q.id()), MODES.get(r), 100, variantParams(variant, null)));
            bar.step();
          }
          byRetriever.put(r, byQuery);
        }
        lists.put(variant, byRetriever);
      }
    }

    // 2. sweep the fusion on the tuning half, offline with the same fusion code the service runs
    List<FusionCandidate> candidates = grid();
    Map<FusionCandidate, double[]> tuneScores = new LinkedHashMap<>();
    for (FusionCandidate candidate : candidates) {
      double[] s = new double[2];
      for (int v = 0; v < 2; v++) {
        s[v] = meanNdcg(c, split.tune(), lists.get(VARIANTS[v]), candidate);
      }
      tuneScores.put(candidate, s);
    }
    Comparator<FusionCandidate> byObjective = Comparator.comparingDouble(f -> (tuneScores.get(f)[0] + tuneScores.get(f)[1]) / 2);
    FusionCandidate bestRrf = candidates.stream().filter(f -> f.method() == FusionMethod.RRF).max(byObjective).orElseThrow();
    FusionCandidate bestWeighted = candidates.stream().filter(f -> f.method() == FusionMethod.WEIGHTED).max(byObjective).orElseThrow();
    FusionCandidate chosen = chosen(bestRrf, tuneScores.get(bestRrf), bestWeighted, tuneScores.get(bestWeighted));

    // 3. hybrid variants through the HTTP API, every query
    Map<String, FusionCandidate> hybrids = new LinkedHashMap<>();
    hybrids.put("hybrid (chosen: " + chosen.label() + ")", chosen);
    hybrids.put("rrf keyword+vector 1:1", new FusionCandidate(FusionMethod.RRF, Weights.parse("keyword:1,vector:1")));
    hybrids.put("rrf text+keyword+vector 1:1:1", new FusionCandidate(FusionMethod.RRF, Weights.parse("text:1,keyword:1,vector:1")));
    hybrids.put("rrf text+vector 1:1", new FusionCandidate(FusionMethod.RRF, Weights.parse("text:1,vector:1")));
    FusionCandidate otherBest = chosen == bestRrf ? bestWeighted : bestRrf;
    hybrids.put("best " + otherBest.method().wireName() + " (" + otherBest.weights().toSpec() + ")", otherBest);
    RelevanceEvaluation testEval = new RelevanceEvaluation();
    RelevanceEvaluation allEval = new RelevanceEvaluation();
    Set<String> testIds = new java.util.HashSet<>();
    split.test().forEach(q -> testIds.add(q.id()));
    for (String variant : VARIANTS) {
      for (Retriever r : Retriever.values()) {
        for (CollectionQuery q : judged) {
          List<String> ranking = ids(lists.get(variant).get(r).get(q.id()));
          record(allEval, testEval, testIds, MODES.get(r) + "/" + variant, q.id(), ranking, c.relevant(q.id()));
        }
      }
    }
    try (ProgressBar bar = bar("hybrid modes", (long) judged.size() * VARIANTS.length * hybrids.size())) {
      for (var h : hybrids.entrySet()) {
        for (String variant : VARIANTS) {
          for (CollectionQuery q : judged) {
            List<String> ranking = ids(client.search(queryText.get(variant).get(q.id()), "hybrid", 100,
                variantParams(variant, h.getValue().params())));
            record(allEval, testEval, testIds, h.getKey() + "/" + variant, q.id(), ranking, c.relevant(q.id()));
            bar.step();
          }
        }
      }
    }

    // 4. the report
    List<String> modeNames = new ArrayList<>(List.of("text", "keyword", "vector"));
    modeNames.addAll(hybrids.keySet());
    String chosenName = hybrids.keySet().iterator().next();
    double[] bestSingle = new double[2];
    String[] bestSingleName = new String[2];
    for (int v = 0; v < 2; v++) {
      for (String m : List.of("text", "keyword", "vector")) {
        double s = testEval.scores(m + "/" + VARIANTS[v]).ndcg10();
        if (s > bestSingle[v]) {
          bestSingle[v] = s;
          bestSingleName[v] = m;
        }
      }
    }
    double chosenClean = testEval.scores(chosenName + "/clean").ndcg10();
    double chosenTypo = testEval.scores(chosenName + "/typo").ndcg10();
    boolean meets = chosenClean >= bestSingle[0] && chosenTypo >= bestSingle[1];
    writeReport(c, split, modeNames, testEval, allEval, tuneScores, chosen, bestRrf, bestWeighted, lists, meets,
        bestSingle, bestSingleName);
    Files.writeString(out.resolve("per-query.csv"), allEval.perQueryCsv());
    System.out.printf(Locale.ROOT,
        "%s (%s): chosen %s; test-half nDCG@10 clean %.3f (best single %s %.3f), typo %.3f (best single %s %.3f; "
            + "uncorrected %.3f): %s%n",
        c.name(), model(), chosen.label(), chosenClean, bestSingleName[0], bestSingle[0], chosenTypo, bestSingleName[1],
        bestSingle[1], testEval.scores(chosenName + "/typo-uncorrected").ndcg10(),
        meets ? "meets the bar" : "BELOW the best single mode");
    System.out.println("report: " + out.resolve("report.md"));
    return 0;
  }

  /** The embedding model the run's job and service use (the catalogue's, from the environment). */
  private static String model() {
    return EmbeddedProduct.settings(Map.of()).get(Setting.EMBEDDING_MODEL);
  }

  /**
   * How far apart two runs of the same setting land on Cranfield (docs/RELEVANCE.md: HNSW graphs
   * depend on the order documents arrive in): a smaller lead on the tuning half is no lead.
   */
  static final double RUN_VARIATION = 0.006;

  /**
   * The default: the best weighted sum unless the best RRF is ahead of it on the tuning half's
   * objective by more than {@link #RUN_VARIATION}. The weighted sum's scores mean the same on every
   * page and in every window (RRF's depend on the list lengths), so it wins a tie.
   *
   * @param rrfScores, weightedScores nDCG@10 on clean and typo'd queries of the tuning half
   */
  static FusionCandidate chosen(FusionCandidate bestRrf, double[] rrfScores, FusionCandidate bestWeighted,
      double[] weightedScores) {
    double lead = (rrfScores[0] + rrfScores[1]) / 2 - (weightedScores[0] + weightedScores[1]) / 2;
    return lead > RUN_VARIATION ? bestRrf : bestWeighted;
  }

  /** The request parameters of a variant's searches beside {@code params} (null: none). */
  static String variantParams(String variant, String params) {
    if (!variant.equals("typo-uncorrected")) {
      return params;
    }
    return params == null ? "correct=false" : params + "&correct=false";
  }

  private static void record(RelevanceEvaluation all, RelevanceEvaluation test, Set<String> testIds, String mode,
      String queryId, List<String> ranking, Set<String> relevant) {
    all.add(mode, queryId, ranking, relevant);
    if (testIds.contains(queryId)) {
      test.add(mode, queryId, ranking, relevant);
    }
  }

  /** The grid: RRF weights and weighted-sum weights over the three retrievers. */
  static List<FusionCandidate> grid() {
    List<FusionCandidate> grid = new ArrayList<>();
    double[] textW = {0, 0.1, 0.2, 0.3, 0.5, 0.75, 1};
    double[] keywordW = {0, 0.5, 1};
    double[] vectorW = {0, 0.5, 1, 1.5, 2};
    for (double t : textW) {
      for (double k : keywordW) {
        for (double v : vectorW) {
          if (t + k + v > 0) {
            grid.add(new FusionCandidate(FusionMethod.RRF, weights(t, k, v)));
          }
        }
      }
    }
    double[] wText = {0, 0.05, 0.1, 0.2, 0.3};
    double[] wKeyword = {0, 0.2, 0.4, 0.6, 0.8};
    double[] wVector = {0, 0.2, 0.4, 0.6, 0.8, 1.0};
    for (double t : wText) {
      for (double k : wKeyword) {
        for (double v : wVector) {
          if (t + k + v > 0) {
            grid.add(new FusionCandidate(FusionMethod.WEIGHTED, weights(t, k, v)));
          }
        }
      }
    }
    return grid;
  }

  private static Weights weights(double text, double keyword, double vector) {
    Map<Retriever, Double> w = new EnumMap<>(Retriever.class);
    w.put(Retriever.TEXT, text);
    w.put(Retriever.KEYWORD, keyword);
    w.put(Retriever.VECTOR, vector);
    return Weights.of(w);
  }

  private static double meanNdcg(TestCollection c, List<CollectionQuery> queries,
      Map<Retriever, Map<String, List<ScoredId>>> lists, FusionCandidate candidate) {
    double sum = 0;
    for (CollectionQuery q : queries) {
      Map<Retriever, List<ScoredId>> perQuery = new EnumMap<>(Retriever.class);
      for (Retriever r : Retriever.values()) {
        perQuery.put(r, lists.get(r).get(q.id()));
      }
      List<String> ranking = candidate.fusion().fuse(perQuery, 100).stream().map(FusedHit::id).toList();
      sum += RankingMetrics.ndcgAt(10, ranking, c.relevant(q.id()));
    }
    return sum / queries.size();
  }

  private static List<String> ids(List<ScoredId> hits) {
    return hits.stream().map(ScoredId::id).toList();
  }

  private void writeReport(TestCollection c, QuerySplit.Split split, List<String> modes, RelevanceEvaluation test,
      RelevanceEvaluation all, Map<FusionCandidate, double[]> tune, FusionCandidate chosen, FusionCandidate bestRrf,
      FusionCandidate bestWeighted, Map<String, Map<Retriever, Map<String, List<ScoredId>>>> lists, boolean meets,
      double[] bestSingle, String[] bestSingleName) throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("# Relevance: ").append(c.name()).append("\n\n");
    md.append("Run ").append(LocalDateTime.now().withNano(0)).append(" with `./brain eval --collection ")
        .append(collection).append(format == null ? "" : " --format " + format.wireName()).append(" --split-seed ").append(splitSeed).append(" --typo-seed ").append(typoSeed).append("`.\n\n");
    md.append("Embedding model: `").append(model()).append("` (`").append(Setting.EMBEDDING_MODEL.variable()).append("`).\n\n");
    md.append(String.format(Locale.ROOT, "%d documents, %d judged queries: tuning half %d, held-back half %d. ",
        c.documents().size(), split.tune().size() + split.test().size(), split.tune().size(), split.test().size()));
    md.append("Relevant = grade >= 1 in the qrels (Cranfield's -1 = not relevant; every listed pair for CISI, MED and CACM), ")
        .append("binary gains. ");
    md.append("Typo'd queries: one edit (swap, drop or replace a letter, never the first) in every word of five or more letters, seeded.\n\n");
    md.append("## Held-back half (figures that judge the defaults)\n\n");
    md.append("Typo'd queries are corrected by the service from the index's vocabulary, as it ships; "
        + "\"uncorrected\" is the same typo'd text with `correct=false`.\n\n");
    md.append("| mode | nDCG@10 clean | nDCG@10 typo | nDCG@10 typo uncorrected | Recall@100 clean | Recall@100 typo | MRR@10 clean | MRR@10 typo |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
    for (String m : modes) {
      ModeScores clean = test.scores(m + "/clean");
      ModeScores typo = test.scores(m + "/typo");
      ModeScores uncorrected = test.scores(m + "/typo-uncorrected");
      md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n", m, clean.ndcg10(),
          typo.ndcg10(), uncorrected.ndcg10(), clean.recall100(), typo.recall100(), clean.mrr10(), typo.mrr10()));
      Map<String, Double> series = new LinkedHashMap<>();
      series.put("clean", clean.ndcg10());
      series.put("typo'd", typo.ndcg10());
      series.put("typo'd, uncorrected", uncorrected.ndcg10());
      bars.put(m, series);
    }
    md.append("\n## All judged queries\n\n| mode | nDCG@10 clean | nDCG@10 typo | nDCG@10 typo uncorrected | Recall@100 clean | MRR@10 clean |\n|---|---|---|---|---|---|\n");
    for (String m : modes) {
      ModeScores clean = all.scores(m + "/clean");
      ModeScores typo = all.scores(m + "/typo");
      md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f |%n", m, clean.ndcg10(), typo.ndcg10(),
          all.scores(m + "/typo-uncorrected").ndcg10(), clean.recall100(), clean.mrr10()));
    }
    md.append("\n## Chosen default\n\n");
    md.append(String.format(Locale.ROOT,
        "Objective on the tuning half: mean of nDCG@10 on clean and on typo'd queries. Best RRF: `%s` (%.3f / %.3f). "
            + "Best weighted sum: `%s` (%.3f / %.3f). Chosen (the weighted sum unless RRF leads by more than %.3f): **`%s`**.%n%n",
        bestRrf.weights().toSpec(), tune.get(bestRrf)[0], tune.get(bestRrf)[1], bestWeighted.weights().toSpec(),
        tune.get(bestWeighted)[0], tune.get(bestWeighted)[1], RUN_VARIATION, chosen.label()));
    md.append(String.format(Locale.ROOT,
        "On the held-back half the chosen default %s the best single mode: clean %s %.3f, typo'd %s %.3f.%n%n",
        meets ? "reaches at least" : "does NOT reach", bestSingleName[0], bestSingle[0], bestSingleName[1], bestSingle[1]));
    md.append("## Top of the sweep (tuning half)\n\n| fusion | weights | nDCG@10 clean | nDCG@10 typo | mean |\n|---|---|---|---|---|\n");
    tune.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<FusionCandidate, double[]> x) -> -(x.getValue()[0] + x.getValue()[1])))
        .limit(15)
        .forEach(x -> md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f |%n", x.getKey().method().wireName(),
            x.getKey().weights().toSpec(), x.getValue()[0], x.getValue()[1], (x.getValue()[0] + x.getValue()[1]) / 2)));
    StringBuilder sweepCsv = new StringBuilder("fusion,weights,ndcg10_clean_tune,ndcg10_typo_tune\n");
    tune.forEach((f, s) -> sweepCsv.append(String.format(Locale.ROOT, "%s,\"%s\",%.4f,%.4f%n", f.method().wireName(),
        f.weights().toSpec(), s[0], s[1])));
    Files.writeString(out.resolve("sweep.csv"), sweepCsv);

    Charts.bars(out.resolve("modes.png"), c.name() + ": nDCG@10 on the held-back half", bars);
    for (FusionCandidate base : List.of(bestRrf, bestWeighted)) {
      for (Retriever swept : Retriever.values()) {
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (int v = 0; v < 2; v++) {
          List<double[]> points = new ArrayList<>();
          for (var entry : tune.entrySet()) {
            FusionCandidate f = entry.getKey();
            if (f.method() != base.method()) {
              continue;
            }
            boolean othersEqual = true;
            for (Retriever r : Retriever.values()) {
              if (r != swept && f.weights().weight(r) != base.weights().weight(r)) {
                othersEqual = false;
              }
            }
            if (othersEqual) {
              points.add(new double[] {f.weights().weight(swept), entry.getValue()[v]});
            }
          }
          points.sort(Comparator.comparingDouble(p -> p[0]));
          curves.put(VARIANTS[v], points);
        }
        String name = base.method().wireName() + "-" + swept.wireName() + "-weight.png";
        Charts.curves(out.resolve(name), base.method().wireName() + ": " + swept.wireName() + " weight (others as "
            + base.weights().toSpec() + ")", swept.wireName() + " weight", curves);
        md.append("\n![").append(name).append("](").append(name).append(")\n");
      }
    }
    md.append("\n![modes](modes.png)\n\nPer-query figures: `per-query.csv`; every sweep point: `sweep.csv`.\n");
    Files.writeString(out.resolve("report.md"), md);
  }

  /** {@code --format}'s names, any case: {@link CollectionFormat#parse(String)}. */
  static final class FormatConverter implements ITypeConverter<CollectionFormat> {
    @Override
    public CollectionFormat convert(String value) {
      return CollectionFormat.parse(value);
    }
  }

  private static ProgressBar bar(String name, long total) {
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500).build();
  }
}
