package dev.companionbrain.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.cli.DocumentPublisher;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.TestCollection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A document stream into the documents topic: copies of collection documents under new ids at a fixed
 * rate (with their vector when the caller supplies vectors), every few seconds a probe with a token no
 * other document holds, each probe polled for with a search until an answer holds it (its freshness, in
 * the figures current when it was produced). With a {@link DeleteSchedule}, an operation the schedule
 * picks deletes a copy written earlier instead (never a probe, so that every probe can be seen).
 */
final class DocumentStream {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the stream writes and how its probes are watched.
   *
   * @param idPrefix the copies' ids are this and a counter
   * @param seed of the probes' tokens
   * @param probeMode the search mode of the probes' polls (text or keyword)
   */
  record Plan(String idPrefix, double perSecond, long seed, long probeEveryMs, long pollMs, int probeTimeoutSeconds,
      String probeMode) {}

  private final Plan plan;
  private final String base;
  private final String apiKey;
  private final DocumentPublisher publisher;
  private final List<CollectionDocument> texts;
  private final Map<String, float[]> vectors;
  private final DeleteSchedule deletes;
  private volatile CacheFigures probesInto;
  private final Random random;
  private final HttpClient http = ServiceHttp.client();
  private final ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
  private final ScheduledExecutorService prober = Executors.newScheduledThreadPool(2);
  private final Map<String, Boolean> pending = new ConcurrentHashMap<>();
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong produced = new AtomicLong();
  private final AtomicLong deleted = new AtomicLong();
  private final long perProbe;

  /**
   * Starts streaming now.
   *
   * @param base the query service the probes search, with {@code apiKey}
   * @param vectors the collection's vectors by document id, sent with the copies (null: none, the job embeds)
   * @param deletes which operations delete a copy (null: none)
   * @param probesInto where the probes' freshness goes (null: not recorded, until {@link #probesInto} says)
   */
  DocumentStream(Plan plan, String base, String apiKey, DocumentPublisher publisher, List<CollectionDocument> texts,
      Map<String, float[]> vectors, DeleteSchedule deletes, CacheFigures probesInto) {
    this.plan = plan;
    this.base = base;
    this.apiKey = apiKey;
    this.publisher = publisher;
    this.texts = texts;
    this.vectors = vectors;
    this.deletes = deletes;
    this.probesInto = probesInto;
    this.random = new Random(plan.seed());
    this.perProbe = Math.max(1, Math.round(plan.perSecond() * plan.probeEveryMs() / 1000.0));
    producer.scheduleAtFixedRate(this::produceOne, 0, Math.round(1e6 / plan.perSecond()), TimeUnit.MICROSECONDS);
  }

  /** The collection's documents the pipeline indexes (it refuses those without title and body). */
  static List<CollectionDocument> streamable(TestCollection c) {
    return c.documents().stream().filter(d -> !(d.title().isBlank() && d.body().isBlank())).toList();
  }

  /** The probes produced from now on record their freshness in {@code figures} (null: nowhere). */
  void probesInto(CacheFigures figures) {
    probesInto = figures;
  }

  private void produceOne() {
    try {
      long op = operations.getAndIncrement();
      boolean probe = op % perProbe == 0;
      String victim = probe || deletes == null ? null : deletes.victim(op, System.nanoTime());
      if (victim != null) {
        publisher.send(victim, DocumentJson.delete(victim));
        deleted.incrementAndGet();
        return;
      }
      long n = produced.get();
      CollectionDocument text = texts.get((int) (n % texts.size()));
      String id = plan.idPrefix() + n;
      float[] vector = vectors == null ? null : vectors.get(text.id());
      if (probe) {
        String token = token();
        String json = DocumentJson.upsert(id, text.title() + " " + token, text.body() + " " + token, vector);
        long producedAt = System.nanoTime();
        publisher.send(id, json);
        publisher.flush();
        watch(id, token, producedAt, probesInto);
      } else {
        publisher.send(id, DocumentJson.upsert(id, text.title(), text.body(), vector));
        if (deletes != null) {
          deletes.written(id, System.nanoTime());
        }
      }
      produced.incrementAndGet();
    } catch (Exception failed) {
      System.err.println("bench: could not produce a document: " + failed);
    }
  }

  /** Letters only, so that every engine's tokenizer keeps it one word; 12 random letters differ from any other. */
  private String token() {
    StringBuilder b = new StringBuilder("zq");
    for (int i = 0; i < 12; i++) {
      b.append((char) ('a' + random.nextInt(26)));
    }
    return b.toString();
  }

  private void watch(String id, String token, long producedAt, CacheFigures figures) {
    pending.put(id, Boolean.TRUE);
    AtomicBoolean done = new AtomicBoolean();
    // one poll at a time: a slow service is not sent more polls than it answers
    AtomicBoolean asking = new AtomicBoolean();
    URI uri = URI.create(base + "/search?q=" + token + "&mode=" + plan.probeMode() + "&k=10");
    long timeoutNanos = TimeUnit.SECONDS.toNanos(plan.probeTimeoutSeconds());
    ScheduledFuture<?>[] polling = new ScheduledFuture<?>[1];
    Runnable poll = () -> {
      if (done.get()) {
        polling[0].cancel(false);
        return;
      }
      if (System.nanoTime() - producedAt > timeoutNanos) {
        if (done.compareAndSet(false, true)) {
          if (figures != null) {
            figures.probeUnseen();
          }
          pending.remove(id);
        }
        polling[0].cancel(false);
        return;
      }
      if (!asking.compareAndSet(false, true)) {
        return;
      }
      http.sendAsync(ServiceHttp.authorized(uri, apiKey).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            long at = System.nanoTime();
            asking.set(false);
            if (error == null && response.statusCode() == 200 && holds(response.body(), id)
                && done.compareAndSet(false, true)) {
              if (figures != null) {
                figures.probeSeen((at - producedAt) / 1_000_000);
              }
              pending.remove(id);
            }
          });
    };
    synchronized (polling) {
      polling[0] = prober.scheduleAtFixedRate(() -> {
        synchronized (polling) {
          poll.run();
        }
      }, 0, plan.pollMs(), TimeUnit.MILLISECONDS);
    }
  }

  private static boolean holds(String body, String id) {
    try {
      for (JsonNode hit : JSON.readTree(body).path("hits")) {
        if (id.equals(hit.path("id").asText())) {
          return true;
        }
      }
    } catch (IOException unreadable) {
      // not a hit
    }
    return false;
  }

  /** Copies deleted again. */
  long deleted() {
    return deleted.get();
  }

  /** Stops producing; returns how many documents were written. */
  long stop() throws InterruptedException {
    producer.shutdown();
    producer.awaitTermination(10, TimeUnit.SECONDS);
    publisher.flush();
    return produced.get();
  }

  /** Waits until every probe was seen or given up (or {@code timeout}), then stops polling. */
  void awaitProbes(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100); // the last probes become searchable
    }
    prober.shutdownNow();
  }
}
