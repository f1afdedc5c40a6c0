package dev.companionbrain.jobs.indexing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.elasticsearch.sink.RequestIndexer;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.update.UpdateRequest;

/** The connector's {@link RequestIndexer} for tests: keeps every request it is given, in order. */
final class CollectingIndexer implements RequestIndexer {
  final List<DocWriteRequest<?>> sent = new ArrayList<>();

  @Override
  public void add(DeleteRequest... requests) {
    sent.addAll(List.of(requests));
  }

  @Override
  public void add(IndexRequest... requests) {
    sent.addAll(List.of(requests));
  }

  @Override
  public void add(UpdateRequest... requests) {
    sent.addAll(List.of(requests));
  }
}
