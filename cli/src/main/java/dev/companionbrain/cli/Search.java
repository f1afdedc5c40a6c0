package dev.companionbrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.Setting;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Asks the running query service and prints the hits. */
@Command(name = "search", description = "Search through the running query service and print the hits.")
final class Search implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "QUERY", arity = "1..*", description = "the query text")
  String[] words;

  @Option(names = "--mode", description = "hybrid (default), text, keyword or vector")
  String mode = "hybrid";

  @Option(names = {"-k", "--k"}, description = "how many hits (default 10)")
  int k = 10;

  @Option(names = "--tags", description = "comma-separated tag filter")
  String tags;

  @Option(names = "--explain", description = "show each retriever's rank and score")
  boolean explain;

  @Option(names = "--url", description = "query service (default: the running ./brain up, or BRAIN_QUERY_URL)")
  String url;

  @Override
  public Integer call() throws Exception {
    String base = url != null ? url : RunningStack.require(Setting.QUERY_URL, "query_service");
    StringBuilder query = new StringBuilder("/search?q=")
        .append(URLEncoder.encode(String.join(" ", words), StandardCharsets.UTF_8))
        .append("&mode=").append(URLEncoder.encode(mode, StandardCharsets.UTF_8)).append("&k=").append(k);
    if (tags != null) {
      query.append("&tags=").append(URLEncoder.encode(tags, StandardCharsets.UTF_8));
    }
    if (explain) {
      query.append("&explain=true");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + query)).timeout(Duration.ofSeconds(10));
    // the key: BRAIN_API_KEY, else the one ./brain up printed; none when the service runs with keys off
    RunningStack.get(Setting.API_KEY, "api_key").ifPresent(key -> request.header("Authorization", "Bearer " + key));
    HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    if (response.statusCode() != 200) {
      System.err.println("error " + response.statusCode() + ": " + body.at("/error/code").asText() + ": "
          + body.at("/error/message").asText());
      return 1;
    }
    System.out.printf("%d hits in %.1f ms (cache %s, generation %d)%s%n", body.get("hits").size(),
        body.get("took_ms").asDouble(), body.get("cache").asText(), body.get("generation").asLong(),
        body.get("degraded").isEmpty() ? "" : ", degraded: " + body.get("degraded"));
    int rank = 0;
    for (JsonNode hit : body.get("hits")) {
      System.out.printf("%2d. %-12s %.4f  %s%n", ++rank, hit.get("id").asText(), hit.get("score").asDouble(),
          hit.path("title").asText(""));
      if (hit.has("snippet")) {
        String s = hit.get("snippet").asText();
        System.out.println("    " + (s.length() > 110 ? s.substring(0, 110) + "…" : s));
      }
      if (explain && hit.has("explain")) {
        System.out.println("    " + hit.get("explain"));
      }
    }
    return 0;
  }
}
