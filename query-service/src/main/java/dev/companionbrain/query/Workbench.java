package dev.companionbrain.query;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The search workbench: the static page under {@code /ui}, files of the service's jar (resources
 * {@code /ui/}), nothing fetched from anywhere else. The page holds no data: every answer it shows
 * comes from the API, with the key the user gives it.
 */
final class Workbench {
  /** The page's files and their types; any other name under /ui is a 404. */
  private static final Map<String, String> FILES = Map.of(
      "index.html", "text/html; charset=utf-8",
      "workbench.js", "text/javascript; charset=utf-8",
      "workbench.css", "text/css; charset=utf-8");
  /** Only the page's own files, and requests to this service: no inline script, no other origin, no framing. */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private Workbench() {}

  static void page(Context ctx, String file) {
    String type = FILES.get(file);
    if (type == null) {
      throw ApiException.notFound("no such file of the workbench: " + file);
    }
    try (InputStream in = Workbench.class.getResourceAsStream("/ui/" + file)) {
      if (in == null) {
        throw new IllegalStateException("the workbench's " + file + " is missing from the jar");
      }
      ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
          .header("X-Content-Type-Options", "nosniff")
          .header("Referrer-Policy", "no-referrer")
          .header("Cache-Control", "no-cache")
          .contentType(type)
          .result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
