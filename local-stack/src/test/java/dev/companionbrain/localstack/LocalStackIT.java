package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.meilisearch.sdk.Client;
import com.meilisearch.sdk.Config;
import com.meilisearch.sdk.Index;
import com.meilisearch.sdk.model.SearchResult;
import com.meilisearch.sdk.model.TaskInfo;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.http.HttpHost;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.support.WriteRequest;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RequestOptions;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestHighLevelClient;
import org.elasticsearch.common.xcontent.XContentType;
import org.elasticsearch.index.query.WrapperQueryBuilder;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each engine accepts a write and returns it on read, through the client the product uses. */
@ExtendWith(LocalStackExtension.class)
class LocalStackIT {

  @Test
  void kafkaProducesAndConsumes(Endpoints endpoints) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>("stack-check", "k1", "hello kafka")).get();
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "stack-check");
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("stack-check"));
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          assertThat(records.iterator().next().value()).isEqualTo("hello kafka");
          return;
        }
      }
    }
    throw new AssertionError("record not consumed within 30 s");
  }

  @Test
  void elasticsearchApiBulkIndexesAndAnswersKnn(Endpoints endpoints) throws Exception {
    try (RestHighLevelClient client = new RestHighLevelClient(RestClient.builder(HttpHost.create(endpoints.elasticsearchUrl())))) {
      Request create = new Request("PUT", "/stack-check");
      create.setJsonEntity("""
          {"settings":{"index":{"knn":true,"number_of_shards":1,"number_of_replicas":0}},
           "mappings":{"properties":{"title":{"type":"text"},
             "vec":{"type":"knn_vector","dimension":3,"method":{"name":"hnsw","engine":"lucene","space_type":"cosinesimil"}}}}}""");
      client.getLowLevelClient().performRequest(create);
      BulkRequest bulk = new BulkRequest().setRefreshPolicy(WriteRequest.RefreshPolicy.IMMEDIATE);
      bulk.add(new IndexRequest("stack-check").id("a").source(Map.of("title", "north", "vec", List.of(1.0, 0.0, 0.0))));
      bulk.add(new IndexRequest("stack-check").id("b").source(Map.of("title", "east", "vec", List.of(0.0, 1.0, 0.0))));
      BulkResponse response = client.bulk(bulk, RequestOptions.DEFAULT);
      assertThat(response.hasFailures()).as(response.buildFailureMessage()).isFalse();
      SearchResponse knn = client.search(new SearchRequest("stack-check").source(new SearchSourceBuilder()
          .query(new WrapperQueryBuilder("{\"knn\":{\"vec\":{\"vector\":[0.1,0.9,0.0],\"k\":2}}}")).size(2)),
          RequestOptions.DEFAULT);
      assertThat(knn.getHits().getHits()).extracting(h -> h.getId()).containsExactly("b", "a");
    }
  }

  @Test
  void meilisearchAddsAndSearches(Endpoints endpoints) {
    Client client = new Client(new Config(endpoints.meilisearchUrl(), endpoints.meilisearchKey()));
    TaskInfo task = client.index("stack_check").addDocuments("[{\"id\":\"m1\",\"title\":\"typo tolerant search\"}]", "id");
    client.waitForTask(task.getTaskUid());
    assertThat(client.getTask(task.getTaskUid()).getStatus().toString()).isEqualToIgnoringCase("succeeded");
    Index index = client.index("stack_check");
    SearchResult result = (SearchResult) index.search("tolerent");
    assertThat(result.getHits()).extracting(h -> h.get("id")).containsExactly("m1");
  }

  @Test
  void redisSetsAndGets(Endpoints endpoints) {
    RedisClient client = RedisClient.create(endpoints.redisUri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("stack-check", "hello redis");
      assertThat(connection.sync().get("stack-check")).isEqualTo("hello redis");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void endpointsNeverPrintTheMeilisearchKey(Endpoints endpoints) {
    assertThat(endpoints.toString()).doesNotContain(endpoints.meilisearchKey());
  }
}
