package dev.companionbrain.core.search.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every match of a BM25 query ({@link Bm25Retrieval#query}, the same ranking as the keyword search),
 * a page of {@value #PAGE_SIZE} hits at a time, over the scroll API: {@code POST /<index>/_search?scroll=}
 * {@value #KEEP_ALIVE}, then {@code POST /_search/scroll} until a page is empty, and {@code DELETE
 * /_search/scroll} at the end whatever happened (a failed consumer, an engine error). The scroll is
 * the one snapshot API Elasticsearch 7.17 and OpenSearch 2 share: the pages are of the index as it was
 * when the stream began. Sorted by {@code _score} descending across pages; each hit carries only its
 * display fields ({@code _source} filtered, never the body or the vector). Blocking: it runs on the
 * caller's thread, one page in memory at a time, and asks for the next page only once the consumer
 * has taken the last one.
 */
public final class KeywordStream {
  private static final Logger LOG = LoggerFactory.getLogger(KeywordStream.class);
  /** Hits per scroll page. */
  public static final int PAGE_SIZE = 1000;
  /** How long the engine keeps the scroll between two pages. */
  public static final String KEEP_ALIVE = "1m";
  private static final String FILTER_PATH = "_scroll_id,hits.hits._score,hits.hits._source";
  private static final List<String> FIELDS = List.of("id", "title", "url", "tags", "updated_at");

  private final RestClient client;
  private final String index;

  public KeywordStream(RestClient client, String index) {
    this.client = client;
    this.index = index;
  }

  /** One streamed hit: its BM25 score and display fields (a field the document lacks is null). */
  public record Hit(String id, double score, String title, String url, List<String> tags, String updatedAt) {}

  /** Takes each page; an exception (the reader is gone) stops the stream, and the scroll is deleted. */
  @FunctionalInterface
  public interface PageConsumer {
    void accept(List<Hit> page) throws IOException;
  }

  /**
   * Hands every match of {@code q} among the documents carrying one of {@code tags} (empty: every
   * document) to {@code consumer}, a page at a time in rank order.
   *
   * @return how many hits the consumer took
   * @throws IOException what the consumer threw, or the engine could not be reached
   * @throws BackendException the engine answered an error
   */
  public long forEachPage(String q, List<String> tags, PageConsumer consumer) throws IOException {
    String scrollId = null;
    long taken = 0;
    try {
      Request open = new Request("POST", "/" + index + "/_search");
      open.addParameter("scroll", KEEP_ALIVE);
      open.addParameter("filter_path", FILTER_PATH);
      open.setEntity(json(firstBody(q, tags)));
      JsonNode page = send(open);
      while (true) {
        scrollId = page.path("_scroll_id").asText(scrollId);
        List<Hit> hits = hits(page);
        if (hits.isEmpty()) {
          return taken;
        }
        consumer.accept(hits);
        taken += hits.size();
        if (hits.size() < PAGE_SIZE || scrollId == null) {
          return taken;
        }
        Request next = new Request("POST", "/_search/scroll");
        next.addParameter("filter_path", FILTER_PATH);
        ObjectNode body = Json.MAPPER.createObjectNode().put("scroll", KEEP_ALIVE).put("scroll_id", scrollId);
        next.setEntity(json(body.toString()));
        page = send(next);
      }
    } finally {
      if (scrollId != null) {
        clear(scrollId);
      }
    }
  }

  /** The body that opens the scroll: the BM25 query, the page size, the score order, the display fields. */
  static String firstBody(String q, List<String> tags) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("size", PAGE_SIZE);
    body.set("query", Bm25Retrieval.query(q, tags, List.of()));
    body.putArray("sort").addObject().put("_score", "desc");
    body.put("track_scores", true);
    FIELDS.forEach(body.putArray("_source")::add);
    return body.toString();
  }

  private void clear(String scrollId) {
    Request delete = new Request("DELETE", "/_search/scroll");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putArray("scroll_id").add(scrollId);
    delete.setEntity(json(body.toString()));
    try {
      client.performRequest(delete);
    } catch (IOException | RuntimeException e) {
      // the engine drops it itself after KEEP_ALIVE
      LOG.debug("deleting a scroll of {}: {}", index, e.toString());
    }
  }

  private JsonNode send(Request request) throws IOException {
    try {
      return Json.MAPPER.readTree(EntityUtils.toByteArray(client.performRequest(request).getEntity()));
    } catch (ResponseException e) {
      int status = e.getResponse().getStatusLine().getStatusCode();
      String body = e.getResponse().getEntity() == null ? "" : EntityUtils.toString(e.getResponse().getEntity());
      throw new BackendException("elasticsearch", status, body);
    }
  }

  static List<Hit> hits(JsonNode page) {
    JsonNode hits = page.path("hits").path("hits");
    List<Hit> out = new ArrayList<>(hits.size());
    for (JsonNode hit : hits) {
      JsonNode source = hit.path("_source");
      String id = text(source.get("id"));
      if (id == null) {
        continue;
      }
      List<String> tags = new ArrayList<>();
      JsonNode t = source.get("tags");
      if (t != null && t.isArray()) {
        t.forEach(tag -> tags.add(tag.asText()));
      } else if (t != null && t.isTextual()) {
        tags.add(t.asText());
      }
      out.add(new Hit(id, hit.path("_score").asDouble(0), text(source.get("title")), text(source.get("url")),
          List.copyOf(tags), text(source.get("updated_at"))));
    }
    return out;
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static NStringEntity json(String body) {
    return new NStringEntity(body, ContentType.APPLICATION_JSON);
  }
}
