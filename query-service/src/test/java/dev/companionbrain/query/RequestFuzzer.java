package dev.companionbrain.query;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of hostile and random requests to {@code GET /search}, {@code POST /search},
 * {@code POST /multi-search}, {@code GET /search/stream}, {@code GET /judgements/score}, the
 * workbench's {@code /ui/{file}} and {@code GET /documents/{id}}: invisible and control characters, invalid UTF-8, injections of
 * the engines' query syntaxes, numbers out of range, bodies of every JSON type and none.
 */
final class RequestFuzzer {
  /** Text pieces, percent-encoded as UTF-8 before use. */
  private static final String[] TEXT = {"", " ", "\u0000", "\u200E", "\u202E", "\uFEFF", "\u200B", "\u0301", "a",
      "boundary layer", "shock", "\"", "\\", "'", "' OR 1=1 --", "*", "~", "tags IN [\"x\"]", "{}", "[", "]",
      "\uD83D\uDE00", "\uD800", "x".repeat(600), "ab ".repeat(200), "%", "+", "&", "=", "#", "\t\n\r", "<script>",
      "../../etc/passwd", "\u0000\u0000\u0000", "\u00A0\u3000", "ΣΑΣ", "日本語", "\u0007", "NaN", "-1", "1e309", ","};
  /** Already encoded pieces, some of them not UTF-8 at all. */
  private static final String[] RAW = {"%ff%fe", "%C0%80", "%ED%A0%80", "%E2%82", "%25", "%2C%2C", "%00", "%7F"};
  private static final String[] MODES = {"hybrid", "text", "keyword", "vector", "", "Vector", "semantic", "%00"};
  private static final String[] NUMBERS = {"-1", "0", "1", "10", "100", "101", "1000", "1001", "1e3", "abc", "",
      "99999999999999999999", "0x10", " 5", "5.5", "-0"};
  private static final String[] TAGS = {"", "aero", "aero,food", "a,,b", "a\"b", "x".repeat(70), "a\\", " ", ",",
      String.join(",", java.util.Collections.nCopies(25, "t"))};
  private static final String[] FUSIONS = {"rrf", "weighted", "borda", "", "RRF"};
  private static final String[] WEIGHTS = {"text:1", "text:-1", "vector:NaN", "text:1e309", "keyword:0,vector:0",
      "magic:1", ":", "text:1,text:2", "vector:Infinity", ""};
  private static final String[] EXPLAIN = {"true", "false", "maybe", "", "TRUE"};
  private static final String[] CONTENT_TYPES = {"application/json", "text/plain", "application/x-www-form-urlencoded",
      "application/json; charset=latin1", null};

  private RequestFuzzer() {}

  /** Authorization headers besides the valid key: none, malformed, unknown, another scheme. */
  private static final String[] AUTHORIZATIONS = {null, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer cb_",
      "Bearer cb_zzzzzzzzzzzz_" + "a".repeat(43), "bearer x", "Bearer " + "k".repeat(5000), "Bearer \u00e9",
      "Bearer " + dev.companionbrain.core.auth.ApiKeyTokens.generate()};

  /** A hostile request; most carry {@code key} (a valid key of the service, or null when keys are off). */
  static HttpRequest next(Random random, String baseUrl, String key) {
    HttpRequest.Builder request = switch (random.nextInt(9)) {
      case 0, 1 -> HttpRequest.newBuilder(URI.create(baseUrl + "/search?" + queryString(random))).GET();
      case 2, 3 -> post(random, baseUrl);
      case 4 -> multiSearch(random, baseUrl);
      case 5 -> HttpRequest.newBuilder(URI.create(baseUrl + "/search/stream?" + queryString(random))).GET();
      case 6 -> HttpRequest.newBuilder(URI.create(baseUrl + "/judgements/score?query_id=" + text(random, 2) + "&ids="
          + text(random, 3))).GET();
      case 7 -> HttpRequest.newBuilder(URI.create(baseUrl + "/ui/" + text(random, 1))).GET();
      default -> HttpRequest.newBuilder(URI.create(baseUrl + "/documents/" + text(random, 1))).GET();
    };
    String authorization = key != null && random.nextInt(4) > 0 ? "Bearer " + key : pick(random, AUTHORIZATIONS);
    if (authorization != null && authorization.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static HttpRequest.Builder multiSearch(Random random, String baseUrl) {
    String body = switch (random.nextInt(5)) {
      case 0 -> pick(random, new String[] {"{}", "{\"queries\":null}", "{\"queries\":{}}", "{\"queries\":[]}", "[]",
          "{\"queries\":[" + "{},".repeat(60) + "{}]}", "{\"queries\":\"q\"}"});
      default -> {
        List<String> queries = new ArrayList<>();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) {
          queries.add(random.nextInt(8) == 0 ? pick(random, new String[] {"null", "7", "[]", "\"q\""}) : jsonObject(random));
        }
        yield "{\"queries\":[" + String.join(",", queries) + "]}";
      }
    };
    return HttpRequest.newBuilder(URI.create(baseUrl + "/multi-search"))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).header("Content-Type", "application/json");
  }

  private static String text(Random random, int maxPieces) {
    StringBuilder out = new StringBuilder();
    int pieces = 1 + random.nextInt(maxPieces);
    for (int i = 0; i < pieces; i++) {
      out.append(random.nextInt(6) == 0 ? pick(random, RAW) : encode(pick(random, TEXT)));
    }
    return out.toString();
  }

  private static String queryString(Random random) {
    List<String> params = new ArrayList<>();
    if (random.nextInt(8) > 0) {
      params.add("q=" + text(random, 3));
    }
    maybe(random, params, "mode", pick(random, MODES));
    maybe(random, params, "k", encode(pick(random, NUMBERS)));
    maybe(random, params, "offset", encode(pick(random, NUMBERS)));
    maybe(random, params, "tags", encode(pick(random, TAGS)));
    maybe(random, params, "fusion", encode(pick(random, FUSIONS)));
    maybe(random, params, "weights", encode(pick(random, WEIGHTS)));
    maybe(random, params, "explain", encode(pick(random, EXPLAIN)));
    if (random.nextInt(10) == 0) {
      params.add(text(random, 1) + "=" + text(random, 1)); // an unknown parameter
    }
    return String.join("&", params);
  }

  private static void maybe(Random random, List<String> params, String name, String value) {
    if (random.nextBoolean()) {
      params.add(name + "=" + value);
    }
  }

  private static HttpRequest.Builder post(Random random, String baseUrl) {
    String body = switch (random.nextInt(6)) {
      case 0 -> pick(random, new String[] {"", "{nope", "[]", "null", "42", "\"q\"", "{\"q\":", "\u0000"});
      case 1 -> "[".repeat(3000) + "]".repeat(3000);
      default -> jsonObject(random);
    };
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/search"))
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    String contentType = pick(random, CONTENT_TYPES);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return request;
  }

  private static String jsonObject(Random random) {
    List<String> fields = new ArrayList<>();
    for (String name : new String[] {"q", "mode", "k", "offset", "tags", "fusion", "weights", "explain"}) {
      if (random.nextInt(3) > 0) {
        fields.add(quote(name) + ":" + jsonValue(random, name));
      }
    }
    return "{" + String.join(",", fields) + "}";
  }

  private static String jsonValue(Random random, String name) {
    return switch (random.nextInt(8)) {
      case 0 -> "null";
      case 1 -> random.nextBoolean() ? "true" : "false";
      case 2 -> pick(random, new String[] {"-1", "0", "3", "1e400", "-0.0", "12345678901234567890", "2.5"});
      case 3 -> "[" + quote(pick(random, TEXT)) + "," + quote(pick(random, TEXT)) + "]";
      case 4 -> "{" + quote(pick(random, new String[] {"text", "vector", "x", ""})) + ":" + pick(random, new String[] {"1", "\"a\"", "null", "-2"}) + "}";
      case 5 -> "[[[]]]";
      default -> quote(switch (name) {
        case "mode" -> pick(random, MODES);
        case "k", "offset" -> pick(random, NUMBERS);
        case "tags" -> pick(random, TAGS);
        case "fusion" -> pick(random, FUSIONS);
        case "weights" -> pick(random, WEIGHTS);
        case "explain" -> pick(random, EXPLAIN);
        default -> pick(random, TEXT);
      });
    };
  }

  private static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
