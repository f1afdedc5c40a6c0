package dev.companionbrain.core.index;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.model.TaskInfo;
import com.meilisearch.sdk.model.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Elasticsearch and Meilisearch indexes, as {@link IndexDefinitions} defines them, when they are
 * missing (idempotent; safe from several processes). The Meilisearch settings are applied every time, to
 * an existing index too, so an index created by an older version gets the current ones (a settings update
 * with the values the index has already is a task that changes nothing).
 */
public final class IndexCreator {
  private static final Logger LOG = LoggerFactory.getLogger(IndexCreator.class);

  private IndexCreator() {}

  /** {@link #ensureElasticsearch(RestClient, String, int)} without replicas. */
  public static VectorDialect ensureElasticsearch(RestClient client, String index) {
    return ensureElasticsearch(client, index, 0);
  }

  /** Creates the Elasticsearch index in the server's dialect with {@code replicas}; returns the dialect. */
  public static VectorDialect ensureElasticsearch(RestClient client, String index, int replicas) {
    VectorDialect dialect = VectorDialect.detect(client);
    try {
      int status = client.performRequest(new Request("HEAD", "/" + index)).getStatusLine().getStatusCode();
      if (status == 200) {
        return dialect;
      }
    } catch (ResponseException e) {
      if (e.getResponse().getStatusLine().getStatusCode() != 404) {
        throw new UncheckedIOException(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Request create = new Request("PUT", "/" + index);
    create.setEntity(new NStringEntity(IndexDefinitions.elasticsearchIndex(dialect, replicas), ContentType.APPLICATION_JSON));
    try {
      client.performRequest(create);
      LOG.info("created index {} ({})", index, dialect);
    } catch (ResponseException e) {
      if (!e.getMessage().contains("resource_already_exists_exception")) {
        throw new UncheckedIOException(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dialect;
  }

  /**
   * Creates the Meilisearch index (primary key id) when it is missing, and applies its settings whether
   * it was missing or not; waits for both.
   */
  public static void ensureMeilisearch(Client client, String index) {
    TaskInfo created = client.createIndex(index, "id");
    client.waitForTask(created.getTaskUid()); // fails (index_already_exists) when it exists: the settings still apply
    TaskInfo settings = client.index(index).updateSettings(
        new com.google.gson.Gson().fromJson(IndexDefinitions.meilisearchSettings(), com.meilisearch.sdk.model.Settings.class));
    client.waitForTask(settings.getTaskUid());
    var task = client.getTask(settings.getTaskUid());
    if (task.getStatus() != TaskStatus.SUCCEEDED) {
      throw new IllegalStateException("Meilisearch settings of " + index + " failed: " + task.getError());
    }
  }
}
