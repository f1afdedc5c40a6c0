package dev.companionbrain.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import dev.companionbrain.core.config.EngineAddresses;
import dev.companionbrain.localstack.Endpoints;
import dev.companionbrain.core.cache.RedisConnector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.http.HttpHost;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/** Test access to the engines of the local stack: produce, read back, count. */
public final class Engines implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  public final Endpoints endpoints;
  public final RestClient elasticsearch;
  public final Client meilisearch;
  /** One Redis or the stack's Redis Cluster, as {@link Endpoints#redisUri()} names it. */
  public final RedisConnector redisClient;
  public final RedisConnector.Connection redis;
  private final KafkaProducer<byte[], byte[]> producer;

  public Engines(Endpoints endpoints) {
    this.endpoints = endpoints;
    elasticsearch = RestClient.builder(HttpHost.create(endpoints.elasticsearchUrl())).build();
    meilisearch = new Client(new Config(endpoints.meilisearchUrl(), endpoints.meilisearchKey()));
    redisClient = RedisConnector.create(endpoints.redisUri(), RedisConnector.Options.WRITING);
    redis = redisClient.connect();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer = new KafkaProducer<>(p);
  }

  /**
   * A name no other run on this stack has used, for topics, a consumer group and an index of a test's
   * own (jobs' {@code IndexingConfig.inNamespace} names them all after it).
   */
  public static String freshNamespace() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  /** The stack's engines, without logins (the local stack has none). */
  public EngineAddresses addresses() {
    return EngineAddresses.withoutLogins(endpoints.elasticsearchUrl(), endpoints.meilisearchUrl(),
        endpoints.meilisearchKey(), endpoints.redisUri());
  }

  public void produce(String topic, String key, String value) {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
  }

  public void flush() {
    producer.flush();
  }

  public static String doc(String id, String title, String body, String... tags) {
    try {
      return JSON.writeValueAsString(Map.of("op", "upsert", "id", id, "title", title, "body", body,
          "tags", List.of(tags), "url", "https://example.org/" + id, "updated_at", "2026-11-25T10:00:00Z"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String docWithVector(String id, String title, float hot) {
    StringBuilder v = new StringBuilder("[");
    for (int i = 0; i < 384; i++) {
      v.append(i == 0 ? "" : ",").append(i == (int) hot % 384 ? 1.0 : 0.01);
    }
    return "{\"op\":\"upsert\",\"id\":\"" + id + "\",\"title\":\"" + title + "\",\"body\":\"supplied vector\",\"vector\":" + v + "]}";
  }

  public JsonNode esGet(String index, String id) throws IOException {
    try {
      var response = elasticsearch.performRequest(new Request("GET", "/" + index + "/_doc/" + id));
      return JSON.readTree(response.getEntity().getContent());
    } catch (ResponseException e) {
      if (e.getResponse().getStatusLine().getStatusCode() == 404) {
        return null;
      }
      throw e;
    }
  }

  public long esCount(String index) throws IOException {
    elasticsearch.performRequest(new Request("POST", "/" + index + "/_refresh"));
    return esSearchableCount(index);
  }

  /**
   * The count searches see now, without forcing a refresh: for polling while indexing, where a forced
   * refresh every poll would cut a tiny segment each time (and with HNSW, rebuild graphs as they merge).
   */
  public long esSearchableCount(String index) throws IOException {
    var response = elasticsearch.performRequest(new Request("GET", "/" + index + "/_count"));
    return JSON.readTree(response.getEntity().getContent()).get("count").asLong();
  }

  /** A Meilisearch document as JSON, or null when it does not exist. */
  public JsonNode meiliGet(String index, String id) throws IOException {
    var http = java.net.http.HttpClient.newHttpClient();
    try {
      var response = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(endpoints.meilisearchUrl() + "/indexes/" + index + "/documents/" + id))
          .header("Authorization", "Bearer " + endpoints.meilisearchKey()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 404 ? null : JSON.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  public long meiliCount(String index) throws IOException {
    var http = java.net.http.HttpClient.newHttpClient();
    try {
      var response = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(endpoints.meilisearchUrl() + "/indexes/" + index + "/stats"))
          .header("Authorization", "Bearer " + endpoints.meilisearchKey()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return 0;
      }
      JsonNode stats = JSON.readTree(response.body());
      return stats.get("isIndexing").asBoolean() ? -1 : stats.get("numberOfDocuments").asLong();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The ids of every document of an Elasticsearch index (up to 10,000), after a refresh. */
  public java.util.Set<String> esIds(String index) throws IOException {
    elasticsearch.performRequest(new Request("POST", "/" + index + "/_refresh"));
    Request search = new Request("POST", "/" + index + "/_search");
    search.setJsonEntity("{\"size\":10000,\"_source\":false,\"query\":{\"match_all\":{}}}");
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JsonNode hit : JSON.readTree(elasticsearch.performRequest(search).getEntity().getContent()).at("/hits/hits")) {
      ids.add(hit.get("_id").asText());
    }
    return ids;
  }

  /** The ids of every document of a Meilisearch index (up to 10,000). */
  public List<String> meiliIds(String index) throws IOException {
    var http = java.net.http.HttpClient.newHttpClient();
    try {
      var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoints.meilisearchUrl()
              + "/indexes/" + index + "/documents?fields=id&limit=10000"))
          .header("Authorization", "Bearer " + endpoints.meilisearchKey()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      List<String> ids = new ArrayList<>();
      for (JsonNode d : JSON.readTree(response.body()).path("results")) {
        ids.add(d.get("id").asText());
      }
      return ids;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** How many of these ids have a hydration entry in Redis. */
  public long redisDocuments(java.util.Collection<String> ids) {
    return redis.sync().exists(ids.stream().map(dev.companionbrain.core.cache.RedisKeys::document).toArray(String[]::new));
  }

  /** Every record of a topic so far (reads for up to {@code wait}). */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration wait) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + wait.toMillis();
      while (out.size() < expected && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(300)).forEach(out::add);
      }
    }
    return out;
  }

  public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    var h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    producer.close();
    redis.close();
    redisClient.close();
    elasticsearch.close();
  }
}
