package dev.companionbrain.core.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The dialect is chosen from {@code GET /}: OpenSearch by {@code version.distribution}, anything else is ES 7. */
class VectorDialectTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static VectorDialect dialectOf(String rootResponse) throws Exception {
    JsonNode root = JSON.readTree(rootResponse);
    return VectorDialect.fromRootResponse(root);
  }

  @Test
  void openSearchByDistribution() throws Exception {
    assertThat(dialectOf("{\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.19.1\"}}"))
        .isEqualTo(VectorDialect.OPENSEARCH);
  }

  @Test
  void distributionIsCaseInsensitive() throws Exception {
    assertThat(dialectOf("{\"version\":{\"distribution\":\"OpenSearch\",\"number\":\"2.19.1\"}}"))
        .isEqualTo(VectorDialect.OPENSEARCH);
  }

  @Test
  void realOpenSearchRootResponse() throws Exception {
    String root = """
        {"name":"node-1","cluster_name":"brain","cluster_uuid":"abc",
         "version":{"distribution":"opensearch","number":"2.19.1","build_type":"tar",
                    "lucene_version":"9.12.1","minimum_wire_compatibility_version":"7.10.0",
                    "minimum_index_compatibility_version":"7.0.0"},
         "tagline":"The OpenSearch Project: https://opensearch.org/"}""";

    assertThat(dialectOf(root)).isEqualTo(VectorDialect.OPENSEARCH);
  }

  @Test
  void elasticsearch7HasNoDistribution() throws Exception {
    assertThat(dialectOf("{\"version\":{\"number\":\"7.17.0\"}}")).isEqualTo(VectorDialect.ELASTICSEARCH_7);
  }

  @Test
  void realElasticsearch7RootResponse() throws Exception {
    String root = """
        {"name":"es","cluster_name":"docker-cluster","cluster_uuid":"xyz",
         "version":{"number":"7.17.0","build_flavor":"default","build_type":"docker",
                    "lucene_version":"8.11.1"},
         "tagline":"You Know, for Search"}""";

    assertThat(dialectOf(root)).isEqualTo(VectorDialect.ELASTICSEARCH_7);
  }
}
