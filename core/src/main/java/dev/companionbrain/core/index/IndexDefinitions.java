package dev.companionbrain.core.index;

import dev.companionbrain.core.document.DocumentParser;
import dev.companionbrain.core.embed.EmbeddingModel;

/** The Elasticsearch index template and the Meilisearch index settings of the documents. */
public final class IndexDefinitions {
  /** Name of the vector field in Elasticsearch. */
  public static final String VECTOR_FIELD = "vector";
  /**
   * Name of the field that holds the title's and the body's words unstemmed (the standard analyzer,
   * lower case), filled by {@code copy_to} and never returned: the vocabulary a query's typos are
   * corrected from ({@link dev.companionbrain.core.search.backend.VocabularySuggestions}).
   */
  public static final String WORDS_FIELD = "words";

  private IndexDefinitions() {}

  /** The mapping's {@code _meta} key that records which model's vectors the index holds. */
  public static final String MODEL_META = "embedding_model";

  /**
   * {@link #elasticsearchIndex(VectorDialect, int, EmbeddingModel)} without replicas (one local node),
   * for the catalogue's default model.
   */
  public static String elasticsearchIndex(VectorDialect dialect) {
    return elasticsearchIndex(dialect, 0, EmbeddingModel.catalogueDefault());
  }

  /**
   * Settings + mappings: English-analysed text (its words also copied unstemmed into {@link
   * #WORDS_FIELD}), keyword tags, date updated_at, the vector in the dialect, and in the mapping's
   * {@code _meta} the model whose vectors it holds ({@link #MODEL_META}).
   */
  public static String elasticsearchIndex(VectorDialect dialect, int replicas, EmbeddingModel model) {
    String vector = switch (dialect) {
      case OPENSEARCH -> """
          {"type":"knn_vector","dimension":%d,
           "method":{"name":"hnsw","engine":"lucene","space_type":"cosinesimil","parameters":{"m":16,"ef_construction":128}}}"""
          .formatted(DocumentParser.DIMENSIONS);
      case ELASTICSEARCH_7 -> """
          {"type":"dense_vector","dims":%d}""".formatted(DocumentParser.DIMENSIONS);
    };
    String knnSetting = dialect == VectorDialect.OPENSEARCH ? "\"knn\":true," : "";
    return """
        {"settings":{"index":{%s"number_of_shards":1,"number_of_replicas":%d,"refresh_interval":"1s"}},
         "mappings":{"dynamic":"strict","_meta":{"%s":"%s"},"properties":{
           "id":{"type":"keyword"},
           "title":{"type":"text","analyzer":"english","copy_to":"%s"},
           "body":{"type":"text","analyzer":"english","copy_to":"%s"},
           "%s":{"type":"text","analyzer":"standard"},
           "tags":{"type":"keyword"},
           "url":{"type":"keyword","index":false},
           "updated_at":{"type":"date"},
           "%s":%s}}}""".formatted(knnSetting, replicas, MODEL_META, model.wireName(), WORDS_FIELD, WORDS_FIELD, WORDS_FIELD,
               VECTOR_FIELD, vector);
  }

  /**
   * Meilisearch settings: searchable title/body, filterable tags and id (the query service searches
   * only among a generation's changed documents with {@code id IN [...]}), sortable updated_at.
   */
  public static String meilisearchSettings() {
    return """
        {"searchableAttributes":["title","body"],
         "filterableAttributes":["tags","id"],
         "sortableAttributes":["updated_at"],
         "displayedAttributes":["id","title","url","tags","updated_at","body"]}""";
  }
}
