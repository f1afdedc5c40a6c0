package dev.companionbrain.localstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Minimal HTTP for readiness probes and setup calls. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private Http() {}

  static HttpResponse<String> get(String url, String bearer) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET(), bearer);
  }

  static HttpResponse<String> postJson(String url, String bearer, String json) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), bearer);
  }

  private static HttpResponse<String> send(HttpRequest.Builder request, String bearer) {
    try {
      request.timeout(Duration.ofSeconds(5));
      if (bearer != null) {
        request.header("Authorization", "Bearer " + bearer);
      }
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static boolean ok(String url, String bearer) {
    return get(url, bearer).statusCode() / 100 == 2;
  }
}
