package dev.companionbrain.cli;

import dev.companionbrain.core.search.ScoredId;
import dev.companionbrain.query.PageHit;
import dev.companionbrain.query.SearchResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs searches through the query service's HTTP API, as any client would. */
final class SearchClient {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String baseUrl;
  private final String apiKey;

  /** @param apiKey sent as {@code Authorization: Bearer}, or null */
  SearchClient(String baseUrl, String apiKey) {
    this.baseUrl = baseUrl;
    this.apiKey = apiKey;
  }

  /** The ranked hits (id and the response's score) of one search; extra is appended to the query string. */
  List<ScoredId> search(String q, String mode, int k, String extra) throws Exception {
    String uri = baseUrl + "/search?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&mode=" + mode + "&k=" + k
        + (extra == null ? "" : "&" + extra);
    for (int attempt = 1; ; attempt++) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
          .header("Cache-Control", "no-cache");
      if (apiKey != null) {
        request.header("Authorization", "Bearer " + apiKey);
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 429 && attempt < 20) {
        Thread.sleep(200L * attempt); // the service asked to retry later
        continue;
      }
      if (response.statusCode() != 200) {
        throw new IllegalStateException("search failed " + response.statusCode() + ": " + response.body());
      }
      SearchResponse body = SearchResponse.fromJson(response.body());
      if (!body.degraded().isEmpty()) {
        throw new IllegalStateException("degraded answer, the evaluation would be wrong: " + body.degraded());
      }
      List<ScoredId> hits = new ArrayList<>();
      for (PageHit hit : body.hits()) {
        hits.add(new ScoredId(hit.id(), hit.score()));
      }
      return hits;
    }
  }
}
