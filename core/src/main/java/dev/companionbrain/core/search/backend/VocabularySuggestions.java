package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.index.IndexDefinitions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * Corrections of a query's words from the index's own vocabulary: the term suggester of the
 * Elasticsearch API (Lucene's {@code DirectSpellChecker}) over {@link IndexDefinitions#WORDS_FIELD},
 * the documents' words unstemmed. It follows the documents as they are indexed, with nothing to
 * publish. The same request in OpenSearch and Elasticsearch 7.
 *
 * <p>Only words the index does not contain are corrected ({@code suggest_mode: missing}), each to the
 * index word within two edits (a swap of two neighbours is one) that is most similar, the most
 * frequent among equals ({@code sort: score}); words of fewer than four letters and words whose first
 * letter differs are left as they are (the suggester's {@code min_word_length} 4 and {@code
 * prefix_length} 1).
 */
public final class VocabularySuggestions {
  /** The query string of the request: each corrected word's place in the text and its correction. */
  static final String FILTER_PATH = "suggest.words.offset,suggest.words.length,suggest.words.options.text";

  /**
   * One word of a query the index does not contain, and the index word it is corrected to.
   *
   * @param offset where the word starts in the query (a {@code String} index)
   * @param length its length in {@code char}s
   * @param word the correction (lower case, as the standard analyzer indexes it)
   */
  public record Suggestion(int offset, int length, String word) {}

  private final RestClient client;
  private final String index;

  public VocabularySuggestions(RestClient client, String index) {
    this.client = client;
    this.index = index;
  }

  /** The corrections of {@code q}'s words, in the order of the words (none when every word is in the index). */
  public CompletableFuture<List<Suggestion>> suggest(String q) {
    Request request = new Request("POST", "/" + index + "/_search");
    request.addParameter("filter_path", FILTER_PATH);
    request.setEntity(new NStringEntity(requestBody(q), ContentType.APPLICATION_JSON));
    return ElasticsearchSearch.perform(client, request, VocabularySuggestions::parse);
  }

  /** The body of the request: no hit, only the term suggestions of {@code q}. */
  static String requestBody(String q) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("size", 0);
    body.put("track_total_hits", false);
    ObjectNode words = body.putObject("suggest").putObject("words");
    words.put("text", q);
    ObjectNode term = words.putObject("term");
    term.put("field", IndexDefinitions.WORDS_FIELD);
    term.put("suggest_mode", "missing");
    term.put("max_edits", 2);
    term.put("sort", "score");
    term.put("size", 1);
    return body.toString();
  }

  /** The corrections in a response filtered by {@link #FILTER_PATH}: a word with no option is left out. */
  static List<Suggestion> parse(byte[] response) throws java.io.IOException {
    JsonNode words = Json.MAPPER.readTree(response).path("suggest").path("words");
    List<Suggestion> out = new ArrayList<>(words.size());
    for (JsonNode word : words) {
      JsonNode option = word.path("options").path(0).path("text");
      if (option.isTextual() && word.path("offset").isInt() && word.path("length").isInt()) {
        out.add(new Suggestion(word.path("offset").asInt(), word.path("length").asInt(), option.asText()));
      }
    }
    return out;
  }
}
