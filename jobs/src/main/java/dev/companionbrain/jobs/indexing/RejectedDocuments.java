package dev.companionbrain.jobs.indexing;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import dev.companionbrain.core.cache.RedisKeys;
import dev.companionbrain.core.index.RetryPolicy;
import dev.companionbrain.core.cache.RedisConnector;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps partial writes consistent: a document one engine refused (and dead-lettered) is indexed
 * nowhere. The committer runs after the checkpoint that carried the rejection has completed, when
 * every sink has written (and Meilisearch has applied) everything before that checkpoint's barrier,
 * so its deletes come after the other engines' writes of the refused version: it deletes the ids from
 * Elasticsearch (an update that was refused leaves no older version behind either), Meilisearch (a
 * task, applied in order after the sink's earlier ones) and Redis's hydration entries. A delete of a
 * missing id is a no-op. While an engine is away the commit is retried in place (within the outage tolerance).
 *
 * <p>Known gap: a newer version of the same id that arrives after the barrier and is indexed before the
 * commit runs (within one checkpoint interval) is deleted too; producing it again restores it.
 */
final class RejectedDocuments implements Committer<List<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(RejectedDocuments.class);
  private final IndexingConfig config;
  private final RetryPolicy retry;
  private RestClient elasticsearch;
  private Client meilisearch;
  private RedisConnector redisClient;
  private RedisConnector.Connection redis;

  RejectedDocuments(IndexingConfig config) {
    this.config = config;
    this.retry = RetryPolicy.tolerating(config.engineOutageToleranceMillis());
  }

  @Override
  public void commit(Collection<CommitRequest<List<String>>> requests) throws InterruptedException {
    Set<String> ids = new LinkedHashSet<>();
    requests.forEach(r -> ids.addAll(r.getCommittable()));
    if (ids.isEmpty()) {
      return;
    }
    // blocking the task while an engine is away (Flink retries a commit only a few times); past the
    // tolerance the policy throws: the job fails naming the engines
    retry.call("engines (removing refused documents)", () -> {
      remove(new ArrayList<>(ids));
      return ids.size();
    });
    LOG.info("removed {} refused document(s) from Elasticsearch, Meilisearch and Redis", ids.size());
  }

  private void remove(List<String> ids) throws IOException {
    if (elasticsearch == null) {
      elasticsearch = IndexingJob.elasticsearchClient(config);
      var engines = config.engines();
      meilisearch = new Client(new Config(engines.meilisearchUrl(), engines.meilisearchKey()));
      redisClient = RedisConnector.create(engines.redisUri(), RedisConnector.Options.WRITING);
    }
    StringBuilder bulk = new StringBuilder();
    for (String id : ids) {
      bulk.append("{\"delete\":{\"_index\":\"").append(config.elasticsearchIndex()).append("\",\"_id\":\"").append(id).append("\"}}\n");
    }
    Request request = new Request("POST", "/_bulk");
    request.addParameter("refresh", "true");
    request.setJsonEntity(bulk.toString());
    elasticsearch.performRequest(request);
    meilisearch.index(config.meilisearchIndex()).deleteDocuments(ids);
    if (redis == null || !redis.isOpen()) {
      redis = redisClient.connect();
    }
    redis.sync().del(ids.stream().map(RedisKeys::document).toArray(String[]::new));
  }

  @Override
  public void close() throws IOException {
    if (redis != null) {
      redis.close();
    }
    if (redisClient != null) {
      redisClient.close();
    }
    if (elasticsearch != null) {
      elasticsearch.close();
    }
  }

  /** Ids as a count and UTF strings. */
  static final class IdsSerializer implements SimpleVersionedSerializer<List<String>> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(List<String> ids) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(ids.size());
        for (String id : ids) {
          out.writeUTF(id);
        }
      }
      return bytes.toByteArray();
    }

    @Override
    public List<String> deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown committable version " + version);
      }
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(serialized))) {
        int n = in.readInt();
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          ids.add(in.readUTF());
        }
        return ids;
      }
    }
  }
}
