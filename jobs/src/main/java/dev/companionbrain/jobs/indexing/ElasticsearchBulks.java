package dev.companionbrain.jobs.indexing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.index.FailureClassifier;
import dev.companionbrain.core.index.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.elasticsearch.sink.ElasticsearchEmitter;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.index.IndexResponse;
import org.elasticsearch.index.shard.ShardId;
import org.elasticsearch.action.update.UpdateRequest;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseListener;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.common.bytes.BytesReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the connector's bulks and settles every item by the engine's structured answer ({@code
 * status} and {@code error.type} of each item, read from the bulk response JSON; see
 * {@link FailureClassifier#elasticsearchItem}): a refused document goes to the dead-letter topic with
 * reason {@code elasticsearch_<type>}, its source offset and original bytes, and its id is remembered so
 * that the other engines and Redis drop it ({@link RejectedDocuments}); a version conflict of a replay
 * is dropped; anything else (429, 5xx, an unreachable, paused or timing-out engine) is sent again, only
 * the unsettled items, with the {@link RetryPolicy}'s back-off until the outage tolerance, then the bulk
 * fails, naming the engine. The writer hears of a bulk only when all its items are settled, and the
 * next bulk waits for that: the sink holds the stream back while the engine is away.
 *
 * <p>The bulk body is written here from the connector's requests (index, update with doc_as_upsert,
 * delete: what {@link ElasticsearchActions} emits) and sent with the connector's own REST client: the
 * high-level client keeps only the message of an item's error, not its type. Retries run on one
 * scheduler thread of this writer, never on the HTTP client's I/O threads.
 */
final class ElasticsearchBulks implements BiConsumer<BulkRequest, ActionListener<BulkResponse>>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchBulks.class);
  private static final JsonFactory JSON_FACTORY = new JsonFactory();
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ENGINE = "Elasticsearch/OpenSearch (bulk)";

  private volatile RestClient client;
  private final RetryPolicy policy;
  private final DeadLetterProducer.Open deadLetters;
  private final Map<DocWriteRequest<?>, IndexAction> actions = Collections.synchronizedMap(new IdentityHashMap<>());
  private final ConcurrentLinkedQueue<String> rejected = new ConcurrentLinkedQueue<>();
  private final ScheduledExecutorService scheduler;
  private final Counter deadLettered;
  private final Counter ignored;
  private final Counter retried;

  ElasticsearchBulks(RetryPolicy policy, DeadLetterProducer.Open deadLetters, MetricGroup metrics) {
    this.policy = policy;
    this.deadLetters = deadLetters;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "elasticsearch-bulk-retries");
      t.setDaemon(true);
      return t;
    });
    MetricGroup group = metrics.addGroup("sink", "elasticsearch");
    deadLettered = group.counter("documents_dead_lettered");
    ignored = group.counter("items_ignored");
    retried = group.counter("items_retried");
  }

  /** Sends with the connector's own REST client (known once the connector's writer made it). */
  ElasticsearchBulks sendingWith(RestClient client) {
    this.client = client;
    return this;
  }

  /** The emitter, remembering which action each request came from (for dead letters). */
  <T extends IndexAction> ElasticsearchEmitter<T> remembering(ElasticsearchEmitter<IndexAction> emitter) {
    return (action, context, indexer) -> emitter.emit(action, context, new RequestIndexer() {
      @Override
      public void add(DeleteRequest... requests) {
        remember(action, requests);
        indexer.add(requests);
      }

      @Override
      public void add(IndexRequest... requests) {
        remember(action, requests);
        indexer.add(requests);
      }

      @Override
      public void add(UpdateRequest... requests) {
        remember(action, requests);
        indexer.add(requests);
      }
    });
  }

  private void remember(IndexAction action, DocWriteRequest<?>[] requests) {
    for (DocWriteRequest<?> r : requests) {
      actions.put(r, action);
    }
  }

  /** Ids dead-lettered since the last call (the checkpoint's committable). */
  List<String> drainRejected() {
    List<String> ids = new ArrayList<>();
    for (String id; (id = rejected.poll()) != null; ) {
      ids.add(id);
    }
    return ids;
  }

  void flushDeadLetters() {
    if (deadLetters != null) {
      deadLetters.flush();
    }
  }

  @Override
  public void accept(BulkRequest request, ActionListener<BulkResponse> listener) {
    send(new Bulk(new ArrayList<>(request.requests()), policy.outage(ENGINE), listener, System.nanoTime()));
  }

  /**
   * What the connector's writer hears once every item is settled: one success per request (it only
   * asks whether any failed; the bulk processor's retry handler needs at least one item).
   */
  static BulkResponse settled(List<DocWriteRequest<?>> requests, long tookMillis) {
    BulkItemResponse[] items = new BulkItemResponse[requests.size()];
    for (int i = 0; i < items.length; i++) {
      DocWriteRequest<?> r = requests.get(i);
      items[i] = new BulkItemResponse(i, r.opType(),
          new IndexResponse(new ShardId(r.index(), "_na_", 0), "_doc", r.id(), 0, 0, 1, true));
    }
    return new BulkResponse(items, tookMillis);
  }

  private final class Bulk {
    final List<DocWriteRequest<?>> all;
    List<DocWriteRequest<?>> pending;
    final RetryPolicy.Outage outage;
    final ActionListener<BulkResponse> listener;
    final long started;

    Bulk(List<DocWriteRequest<?>> pending, RetryPolicy.Outage outage, ActionListener<BulkResponse> listener, long started) {
      this.all = pending;
      this.pending = pending;
      this.outage = outage;
      this.listener = listener;
      this.started = started;
    }
  }

  private void send(Bulk bulk) {
    Request request = new Request("POST", "/_bulk");
    request.addParameter("filter_path", "errors,items.*.status,items.*.error.type,items.*.error.reason");
    request.setEntity(new ByteArrayEntity(body(bulk.pending), ContentType.create("application/x-ndjson")));
    client.performRequestAsync(request, new ResponseListener() {
      @Override
      public void onSuccess(Response response) {
        scheduler.execute(() -> settle(bulk, response));
      }

      @Override
      public void onFailure(Exception e) {
        scheduler.execute(() -> retry(bulk, bulk.pending, e));
      }
    });
  }

  private void settle(Bulk bulk, Response response) {
    List<DocWriteRequest<?>> again = new ArrayList<>();
    String firstRetryable = null;
    try {
      JsonNode body = JSON.readTree(response.getEntity().getContent());
      JsonNode items = body.path("items");
      boolean errors = body.path("errors").asBoolean(false);
      for (int i = 0; i < bulk.pending.size(); i++) {
        DocWriteRequest<?> r = bulk.pending.get(i);
        JsonNode item = errors ? items.path(i).elements().next() : null;
        int status = item == null ? 200 : item.path("status").asInt(500);
        if (status < 300) {
          actions.remove(r);
          continue;
        }
        String type = item.path("error").path("type").asText(null);
        switch (FailureClassifier.elasticsearchItem(status, type)) {
          case IGNORE -> {
            ignored.inc();
            actions.remove(r);
          }
          case DEAD_LETTER -> deadLetter(r, type, item.path("error").path("reason").asText(""));
          case RETRY -> {
            again.add(r);
            if (firstRetryable == null) {
              firstRetryable = "item " + r.id() + ": " + status + " " + type;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      retry(bulk, bulk.pending, e);
      return;
    }
    if (again.isEmpty()) {
      bulk.outage.recovered();
      bulk.listener.onResponse(settled(bulk.all, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bulk.started)));
    } else {
      retried.inc(again.size());
      retry(bulk, again, firstRetryable);
    }
  }

  private void retry(Bulk bulk, List<DocWriteRequest<?>> again, Object cause) {
    long wait;
    try {
      wait = bulk.outage.failed(cause);
    } catch (RetryPolicy.EngineUnavailableException e) {
      again.forEach(actions::remove);
      bulk.listener.onFailure(e);
      return;
    }
    bulk.pending = again;
    scheduler.schedule(() -> send(bulk), wait, TimeUnit.MILLISECONDS);
  }

  private void deadLetter(DocWriteRequest<?> request, String type, String reason) {
    IndexAction action = actions.remove(request);
    String id = request.id();
    if (deadLetters == null || action == null) {
      throw new IllegalStateException("Elasticsearch refused document " + id + " (" + type + ") and there is no dead-letter topic");
    }
    deadLetters.send(action, "elasticsearch_" + type, reason);
    rejected.add(id);
    deadLettered.inc();
    LOG.warn("Elasticsearch refused document {} ({}); sent to the dead-letter topic, removed from the other engines at the next checkpoint",
        id, type);
  }

  /** The NDJSON bulk body of index, update (doc_as_upsert) and delete requests. */
  static byte[] body(List<DocWriteRequest<?>> requests) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(requests.size() * 2048);
    try {
      for (DocWriteRequest<?> r : requests) {
        String op = r instanceof IndexRequest ? "index" : r instanceof UpdateRequest ? "update" : "delete";
        try (JsonGenerator json = JSON_FACTORY.createGenerator(out)) {
          json.writeStartObject();
          json.writeObjectFieldStart(op);
          json.writeStringField("_index", r.index());
          json.writeStringField("_id", r.id());
          if (r instanceof UpdateRequest u && u.retryOnConflict() > 0) {
            json.writeNumberField("retry_on_conflict", u.retryOnConflict());
          }
          json.writeEndObject();
          json.writeEndObject();
        }
        out.write('\n');
        if (r instanceof IndexRequest index) {
          index.source().writeTo(out);
          out.write('\n');
        } else if (r instanceof UpdateRequest update) {
          out.write("{\"doc\":".getBytes(java.nio.charset.StandardCharsets.UTF_8));
          update.doc().source().writeTo(out);
          out.write((",\"doc_as_upsert\":" + update.docAsUpsert() + "}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } else if (!(r instanceof DeleteRequest)) {
          throw new IllegalArgumentException("unsupported bulk request " + r.getClass().getSimpleName());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (deadLetters != null) {
      deadLetters.close();
    }
  }

}
