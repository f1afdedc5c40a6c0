package dev.companionbrain.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET/POST /search}: the one type of that wire format, for clients (the
 * {@code brain} command reads it) and for the tests that hold the service's fast path to it. The
 * service writes the same JSON without building this object: the hits are the bytes cached with
 * the window, and only the envelope is written per request (QueryServiceTest checks the two agree).
 *
 * @param query the query as asked
 * @param correctedQ the query searched, when some of its words were corrected from the index's
 *     vocabulary (absent when none was)
 * @param total hits in the candidate window the page was cut from (exact within the window)
 * @param hits the page; each hit's {@code explain} only with {@code explain=true}
 * @param cache {@code l1}, {@code l2}, {@code miss} or {@code bypass}
 * @param generation the index generation the window was computed at
 * @param staleMs how long ago that generation was superseded, 0 when current
 * @param degraded retrievers skipped and why
 * @param backendMs each retriever's time, only with {@code explain=true}
 * @param indexVersion the version of the index every retriever searched for the window (see
 *     docs/OPERATIONS.md, "Reindex"; -1 when the service did not know it), only with {@code explain=true}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchResponse(String query, String correctedQ, String mode, int k, int offset, int total, List<PageHit> hits, double tookMs,
    String cache, long generation, long staleMs, List<CandidateWindow.Degradation> degraded, Map<String, Long> backendMs,
    Integer indexVersion) {
  private static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static SearchResponse fromJson(String json) throws IOException {
    return JSON.readValue(json, SearchResponse.class);
  }

  public String toJson() throws IOException {
    return JSON.writeValueAsString(this);
  }
}
