package dev.companionbrain.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP to the query service under measurement: a client (HTTP/1.1, its own connections), requests
 * carrying an API key (the service requires keys, as {@code brain up} runs it), and what the
 * benchmarks read besides the answers: {@code /metrics} and {@code /health/ready}.
 */
final class ServiceHttp {
  private ServiceHttp() {}

  /** The client of the reads beside the answers (metrics, readiness): one for the run, not one per read. */
  private static final HttpClient READS = client();

  /** A client of its own: every client of a mix has its own connections. */
  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpRequest.Builder authorized(URI uri, String apiKey) {
    return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + apiKey);
  }

  /** The service's metrics now; empty when it does not answer. */
  static PrometheusText metrics(String base, String apiKey) {
    String body = get(authorized(URI.create(base + "/metrics"), apiKey));
    return body == null ? PrometheusText.empty() : PrometheusText.parse(body);
  }

  /** The body of {@code GET /health/ready} (it needs no key); null when the service does not answer. */
  static String readiness(String base) {
    return get(HttpRequest.newBuilder(URI.create(base + "/health/ready")));
  }

  private static String get(HttpRequest.Builder request) {
    try {
      return READS.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
