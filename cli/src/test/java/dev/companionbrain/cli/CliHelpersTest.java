package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.search.FusionMethod;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of the brain command that run without a stack. */
class CliHelpersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void ingestKeysEachLineByItsIdAndSendsUnreadableLinesWithoutAKey() {
    assertThat(Ingest.idOf("{\"op\":\"upsert\",\"id\":\"doc-1\",\"title\":\"t\"}")).isEqualTo("doc-1");
    assertThat(Ingest.idOf("{not json")).isEmpty();
    assertThat(Ingest.idOf("{\"id\":5}")).isEmpty();
    assertThat(Ingest.idOf("[]")).isEmpty();
  }

  @Test
  void aCollectionDocumentBecomesAnUpsertWithTheNamespaceTag() throws Exception {
    JsonNode doc = JSON.readTree(Ingest.collectionDocumentJson(new CollectionDocument("cran-1", "Title", "Body"), "eval"));
    assertThat(doc.get("op").asText()).isEqualTo("upsert");
    assertThat(doc.get("id").asText()).isEqualTo("cran-1");
    assertThat(doc.get("tags")).hasSize(1);
    assertThat(doc.get("tags").get(0).asText()).isEqualTo("eval");
    assertThat(JSON.readTree(Ingest.collectionDocumentJson(new CollectionDocument("cran-2", "T", "B"), null)).get("tags"))
        .isEmpty();
  }

  @Test
  void theSweepCoversBothFusionsAndAsksTheServiceInItsOwnTerms() {
    List<FusionCandidate> grid = Evaluate.grid();
    assertThat(grid).hasSize(104 + 149);
    assertThat(grid).filteredOn(f -> f.method() == FusionMethod.RRF).hasSize(104);
    assertThat(grid).allSatisfy(f -> assertThat(f.weights().active()).isNotEmpty());
    assertThat(grid).extracting(FusionCandidate::label).doesNotHaveDuplicates();
    FusionCandidate any = grid.get(grid.size() - 1);
    assertThat(any.params()).startsWith("fusion=weighted&weights=").doesNotContain(" ");
  }
}
