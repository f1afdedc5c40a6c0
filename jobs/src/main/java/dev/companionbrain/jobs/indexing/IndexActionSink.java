package dev.companionbrain.jobs.indexing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A sink of the index actions. Flink 1.20 calls {@code createWriter(WriterInitContext)} only; the
 * deprecated variant that {@link Sink} still declares is refused here once for every sink.
 */
interface IndexActionSink extends Sink<IndexAction> {
  @Override
  @Deprecated
  default SinkWriter<IndexAction> createWriter(InitContext context) {
    throw new UnsupportedOperationException("Flink 1.20 calls createWriter(WriterInitContext)");
  }
}
