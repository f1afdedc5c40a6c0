package dev.companionbrain.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error the service sends, in one shape: {@code {"error":{"code","message"}}}, with a stable
 * code. The handlers throw {@link ApiException}s; the two Jetty error handlers here answer the
 * errors that Jetty finds before any handler runs (a query string that is not UTF-8, a URI or a
 * header over the limit, an unknown method), which would otherwise be HTML pages.
 */
final class JsonErrors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpField CONTENT_TYPE = new HttpField(HttpHeader.CONTENT_TYPE, "application/json");
  /** How much of a message an error repeats. */
  private static final int MAX_MESSAGE_CHARS = 200;

  private JsonErrors() {}

  /** The stable code of an error that only has an HTTP status. */
  static String codeOf(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 408 -> "request_timeout";
      case 413 -> "body_too_large";
      case 414 -> "uri_too_long";
      case 415 -> "unsupported_media_type";
      case 429 -> "too_many_requests";
      case 431 -> "headers_too_large";
      case 500 -> "internal";
      case 501 -> "not_implemented";
      case 503 -> "unavailable";
      case 505 -> "http_version_not_supported";
      default -> "http_" + status;
    };
  }

  static byte[] body(String code, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    String m = message == null || message.isBlank() ? code.replace('_', ' ') : message;
    error.put("message", m.length() > MAX_MESSAGE_CHARS ? m.substring(0, MAX_MESSAGE_CHARS) + "..." : m);
    try {
      return JSON.writeValueAsBytes(Map.of("error", error));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void respond(Response response, int code, String message, Callback callback) {
    response.setStatus(code);
    response.getHeaders().put(CONTENT_TYPE);
    response.write(true, ByteBuffer.wrap(body(codeOf(code), message)), callback);
  }

  /** The body of an error found while the request was parsed (both handlers answer those the same way). */
  private static ByteBuffer badMessage(int status, String reason, HttpFields.Mutable fields) {
    fields.put(CONTENT_TYPE);
    return ByteBuffer.wrap(body(codeOf(status), reason));
  }

  /** For the server: errors found while parsing a request, before it reaches the servlet. */
  static final class ServerHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
        Callback callback) throws IOException {
      respond(response, code, message, callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      return badMessage(status, reason, fields);
    }
  }

  /** For the servlet context that Javalin runs in: errors Jetty raises around Javalin's servlet. */
  static final class ContextHandler extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
        java.util.List<java.nio.charset.Charset> charsets, int code, String message, Throwable cause) {
      respond(response, code, message, callback);
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      return badMessage(status, reason, fields);
    }
  }
}
