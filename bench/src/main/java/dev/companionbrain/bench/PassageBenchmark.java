package dev.companionbrain.bench;

import dev.companionbrain.core.document.Document;
import dev.companionbrain.core.embed.Embedder;
import dev.companionbrain.core.embed.EmbeddingModel;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.CollectionQuery;
import dev.companionbrain.core.relevance.QuerySplit;
import dev.companionbrain.core.relevance.RankingMetrics;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Whether a document scored by its best passage ranks better than by one vector of its whole text
 * (issue #20; Dai and Callan, SIGIR 2019), measured before building it into the index: the vector
 * retriever alone, in process, exact cosine over every document of a collection, each model of
 * {@code --models} and each passage window of {@code --windows}, on the tuning half of the judged
 * queries and on the held-back half ({@link QuerySplit}, the split {@code ./brain eval} uses). The
 * documents are embedded as the indexing job embeds them ({@link Document#embeddingText()}), the queries
 * as the service does ({@link Embedder#embedQuery}). The index time a passage costs is the passages per
 * document and the embedding time beside the whole documents'.
 */
@Command(name = "passages", description = "Best-passage against whole-document vectors on a collection, in process (see BENCHMARKS.md).")
final class PassageBenchmark implements Callable<Integer> {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final int NDCG_AT = 10;

  @Option(names = "--collection", required = true, description = "SMART or BEIR folder (e.g. ../shared/data/cranfield)")
  Path collection;

  @Option(names = "--models", split = ",", description = "embedding models (default: all-minilm-l6-v2,bge-small-en-v1.5)")
  List<String> models = List.of(EmbeddingModel.MINILM.wireName(), EmbeddingModel.BGE_SMALL.wireName());

  @Option(names = "--windows", split = ",", description = "passage windows as WORDS/STRIDE (default 128/64,200/100)")
  List<String> windows = List.of("128/64", "200/100");

  @Option(names = "--split-seed", description = "seed of the tune/test split of the queries (default 42, as ./brain eval)")
  long splitSeed = 42;

  /** A body's passages: windows of {@code window} words every {@code stride} words, each after the title. */
  static List<String> passages(String title, String body, int window, int stride) {
    if (window < 1 || stride < 1 || stride > window) {
      throw new IllegalArgumentException("a window of " + window + " words every " + stride + " words leaves words out");
    }
    String[] words = body.isBlank() ? new String[0] : WHITESPACE.split(body.strip());
    String whole = Document.embeddingText(title, body);
    if (words.length <= window) {
      return List.of(whole);
    }
    List<String> passages = new ArrayList<>();
    for (int from = 0; ; from += stride) {
      int to = Math.min(words.length, from + window);
      passages.add(Document.embeddingText(title, String.join(" ", Arrays.copyOfRange(words, from, to))));
      if (to == words.length) {
        return passages;
      }
    }
  }

  /** A window as {@code --windows} writes it: {@code WORDS/STRIDE}. */
  static int[] window(String written) {
    String[] parts = written.split("/", -1);
    try {
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new IllegalArgumentException("--windows: '" + written + "' is not WORDS/STRIDE, e.g. 200/100");
  }

  @Override
  public Integer call() throws Exception {
    TestCollection c = TestCollections.read(collection);
    List<CollectionDocument> docs = c.documents();
    QuerySplit.Split split = QuerySplit.halves(c.judgedQueries(), splitSeed);
    StringBuilder md = new StringBuilder();
    md.append("# Passages against whole documents ").append(LocalDateTime.now().withNano(0)).append("\n\n");
    md.append(String.format(Locale.ROOT, "`./brain bench passages --collection %s --models %s --windows %s --split-seed %d`: "
        + "the vector retriever alone, exact cosine in process over %d documents; nDCG@%d of the tuning half (%d queries) "
        + "and of the held-back half (%d); %d cores.%n%n", collection, String.join(",", models), String.join(",", windows),
        splitSeed, docs.size(), NDCG_AT, split.tune().size(), split.test().size(), Runtime.getRuntime().availableProcessors()));
    md.append("| model | vectors | per document | embedding, s | tune nDCG@10 | held-back nDCG@10 |\n|---|---|---|---|---|---|\n");
    for (String name : models) {
      EmbeddingModel model = EmbeddingModel.fromWire(name);
      Embedder embedder = Embedder.of(model);
      embedder.embedAll(List.of("warm up the model", "and its threads"));
      List<String> wholeTexts = new ArrayList<>();
      for (CollectionDocument d : docs) {
        wholeTexts.add(Document.embeddingText(d.title(), d.body()));
      }
      long began = System.nanoTime();
      List<float[]> whole = embedder.embedAll(wholeTexts);
      double wholeSeconds = (System.nanoTime() - began) / 1e9;
      List<float[]> queries = new ArrayList<>();
      for (CollectionQuery q : split.tune()) {
        queries.add(embedder.embedQuery(q.text()));
      }
      for (CollectionQuery q : split.test()) {
        queries.add(embedder.embedQuery(q.text()));
      }
      int[] owners = new int[docs.size()];
      Arrays.setAll(owners, i -> i);
      row(md, model.wireName() + ", whole document", docs.size(), 1, wholeSeconds, c, split, docs, queries, whole, owners);
      for (String written : windows) {
        int[] w = window(written);
        List<String> texts = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
          for (String p : passages(docs.get(i).title(), docs.get(i).body(), w[0], w[1])) {
            texts.add(p);
            owner.add(i);
          }
        }
        began = System.nanoTime();
        List<float[]> vectors = embedder.embedAll(texts);
        double seconds = (System.nanoTime() - began) / 1e9;
        row(md, model.wireName() + ", best passage of " + w[0] + " words every " + w[1], texts.size(),
            texts.size() / (double) docs.size(), seconds, c, split, docs, queries, vectors,
            owner.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    ReportFormat.publish("passages", md);
    return 0;
  }

  private static void row(StringBuilder md, String label, int vectorCount, double perDocument, double seconds, TestCollection c,
      QuerySplit.Split split, List<CollectionDocument> docs, List<float[]> queryVectors, List<float[]> vectors, int[] owners) {
    List<CollectionQuery> all = new ArrayList<>(split.tune());
    all.addAll(split.test());
    double tune = 0;
    double test = 0;
    for (int q = 0; q < all.size(); q++) {
      double ndcg = RankingMetrics.ndcgAt(NDCG_AT, ranking(docs, bestScores(docs.size(), queryVectors.get(q), vectors, owners)),
          c.relevant(all.get(q).id()));
      if (q < split.tune().size()) {
        tune += ndcg;
      } else {
        test += ndcg;
      }
    }
    md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.1f | %.4f | %.4f |%n", label, vectorCount, perDocument, seconds,
        tune / split.tune().size(), test / split.test().size()));
  }

  /** Each document's score: the best cosine of its vectors ({@code owners[i]}: the document of vector i). */
  static double[] bestScores(int documents, float[] query, List<float[]> vectors, int[] owners) {
    double[] best = new double[documents];
    Arrays.fill(best, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      double dot = 0;
      for (int d = 0; d < v.length; d++) {
        dot += query[d] * v[d];
      }
      best[owners[i]] = Math.max(best[owners[i]], dot);
    }
    return best;
  }

  /** The documents' ids, best score first. */
  private static List<String> ranking(List<CollectionDocument> docs, double[] scores) {
    Integer[] order = new Integer[docs.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    List<String> ids = new ArrayList<>(order.length);
    for (Integer i : order) {
      ids.add(docs.get(i).id());
    }
    return ids;
  }
}
