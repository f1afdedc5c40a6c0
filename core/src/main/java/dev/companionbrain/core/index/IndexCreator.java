package dev.companionbrain.core.index;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.model.TaskInfo;
import com.meilisearch.sdk.model.TaskStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.embed.EmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
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
  private static final ObjectMapper JSON = new ObjectMapper();

  private IndexCreator() {}

  /** {@link #ensureElasticsearch(RestClient, String, int, EmbeddingModel)} without replicas, for the catalogue's default model. */
  public static VectorDialect ensureElasticsearch(RestClient client, String index) {
    return ensureElasticsearch(client, index, 0, EmbeddingModel.catalogueDefault());
  }

  /**
   * Creates the Elasticsearch index in the server's dialect with {@code replicas}, for the vectors of
   * {@code model}; returns the dialect.
   *
   * @throws IllegalStateException when the index exists with the vectors of another model, in one line naming both
   */
  public static VectorDialect ensureElasticsearch(RestClient client, String index, int replicas, EmbeddingModel model) {
    VectorDialect dialect = VectorDialect.detect(client);
    Optional<EmbeddingModel> recorded = recordedModel(client, index);
    if (recorded.isPresent()) {
      refuseAnother(index, recorded.get(), model);
      return dialect;
    }
    Request create = new Request("PUT", "/" + index);
    create.setEntity(new NStringEntity(IndexDefinitions.elasticsearchIndex(dialect, replicas, model), ContentType.APPLICATION_JSON));
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
   * The model whose vectors {@code index} holds, as its mapping records it; MiniLM for an index made
   * before the model was recorded (MiniLM was the only one); empty when the index does not exist.
   */
  public static Optional<EmbeddingModel> recordedModel(RestClient client, String index) {
    try {
      JsonNode mappings = JSON.readTree(client.performRequest(new Request("GET", "/" + index + "/_mapping")).getEntity().getContent());
      JsonNode recorded = mappings.elements().hasNext()
          ? mappings.elements().next().path("mappings").path("_meta").path(IndexDefinitions.MODEL_META) : null;
      return Optional.of(recorded == null || !recorded.isTextual() ? EmbeddingModel.MINILM : EmbeddingModel.fromWire(recorded.asText()));
    } catch (ResponseException e) {
      if (e.getResponse().getStatusLine().getStatusCode() == 404) {
        return Optional.empty();
      }
      throw new UncheckedIOException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void refuseAnother(String index, EmbeddingModel recorded, EmbeddingModel model) {
    if (recorded != model) {
      throw new IllegalStateException("index " + index + " holds vectors of " + recorded.wireName() + ", not of "
          + model.wireName() + " (" + Setting.EMBEDDING_MODEL.variable() + "): start with " + recorded.wireName()
          + " or use another " + Setting.INDEX.variable() + "; vectors of two models are never mixed in one index");
    }
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
