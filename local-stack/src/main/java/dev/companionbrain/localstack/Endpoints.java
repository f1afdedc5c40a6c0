package dev.companionbrain.localstack;

/**
 * Where the engines of a running stack answer. {@link #toString()} masks the Meilisearch key.
 *
 * @param kafkaBootstrapServers host:port of the Kafka broker
 * @param elasticsearchUrl base URL of the Elasticsearch API (OpenSearch with k-NN here)
 * @param meilisearchUrl base URL of Meilisearch
 * @param meilisearchKey Meilisearch master key (a secret: never log it), for setup and indexing
 * @param meilisearchSearchKey a Meilisearch key that may only search (a secret too), for the query service
 * @param redisUri redis://host:port, or a Redis Cluster's seeds redis://host:port,host:port,...
 */
public record Endpoints(
    String kafkaBootstrapServers,
    String elasticsearchUrl,
    String meilisearchUrl,
    String meilisearchKey,
    String meilisearchSearchKey,
    String redisUri) {

  /** The same endpoints with Redis elsewhere (e.g. a Redis Cluster's seeds). */
  public Endpoints withRedisUri(String uri) {
    return new Endpoints(kafkaBootstrapServers, elasticsearchUrl, meilisearchUrl, meilisearchKey, meilisearchSearchKey, uri);
  }

  @Override
  public String toString() {
    return "kafka=" + kafkaBootstrapServers + " elasticsearch=" + elasticsearchUrl + " meilisearch="
        + meilisearchUrl + " (key ****) redis=" + redisUri;
  }
}
