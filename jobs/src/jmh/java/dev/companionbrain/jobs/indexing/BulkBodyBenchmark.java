package dev.companionbrain.jobs.indexing;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Elasticsearch sink's whole CPU path for one bulk of 100 documents with their 384-float vectors
 * (the job's batch size): {@link ElasticsearchActions} makes the requests, the connector's bulk
 * processor adds them to a {@link BulkRequest}, {@link ElasticsearchBulks#body} writes the NDJSON body.
 * {@code withVectors} has index requests (a document whose vector was computed), {@code withoutVectors}
 * partial updates (text unchanged, vector kept). It is the figure that showed the Elasticsearch
 * client's own JSON factory is off this path (the body is ours, sources are copied as bytes), so
 * tuning that factory bought nothing.
 *
 * <p>Run: {@code ./brain bench micro jobs BulkBodyBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BulkBodyBenchmark {
  private static final int BULK = 100;
  private final ElasticsearchActions emitter = new ElasticsearchActions("docs");
  private final IndexAction[] withVector = new IndexAction[BULK];
  private final IndexAction[] withoutVector = new IndexAction[BULK];

  public BulkBodyBenchmark() {
    Random random = new Random(3);
    for (int d = 0; d < BULK; d++) {
      IndexAction a = new IndexAction();
      a.id = "doc-" + d;
      a.title = "Laminar boundary layer on a flat plate " + d;
      a.body = "The laminar boundary layer grows along a flat plate in incompressible flow; ".repeat(8);
      a.tags = new String[] {"aero"};
      a.vector = new float[384];
      for (int i = 0; i < 384; i++) {
        a.vector[i] = (float) (random.nextGaussian() / 20);
      }
      withVector[d] = a;
      IndexAction b = new IndexAction();
      b.id = a.id;
      b.title = a.title;
      b.body = a.body;
      b.tags = a.tags;
      withoutVector[d] = b;
    }
  }

  @Benchmark
  public byte[] withVectors() {
    return bulkBody(withVector);
  }

  @Benchmark
  public byte[] withoutVectors() {
    return bulkBody(withoutVector);
  }

  private byte[] bulkBody(IndexAction[] actions) {
    BulkRequest bulk = new BulkRequest();
    RequestIndexer indexer = new RequestIndexer() {
      @Override
      public void add(DeleteRequest... requests) {
        bulk.add(requests);
      }

      @Override
      public void add(IndexRequest... requests) {
        bulk.add(requests);
      }

      @Override
      public void add(UpdateRequest... requests) {
        bulk.add(requests);
      }
    };
    for (IndexAction a : actions) {
      emitter.emit(a, null, indexer);
    }
    return ElasticsearchBulks.body(bulk.requests());
  }
}
