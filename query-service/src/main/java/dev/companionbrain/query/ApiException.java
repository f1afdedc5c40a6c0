package dev.companionbrain.query;

/** An error with its HTTP status and a stable code, rendered as {@code {"error":{"code","message"}}}. */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(503, "backends_unavailable", message);
  }

  /** 429: a concurrency limit (the client's or the service's) is reached; retry after a second. */
  static final class TooManyRequests extends ApiException {
    TooManyRequests(String message) {
      super(429, "too_many_requests", message);
    }
  }
}
