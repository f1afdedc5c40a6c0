package dev.companionbrain.query;

import dev.companionbrain.core.search.backend.BackendException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.elasticsearch.client.ResponseException;

/**
 * Whose fault a failed retrieval is. Only a {@link #BACKEND} failure counts against the retriever's
 * circuit breaker: a client must never be able to switch a retriever off for everyone by sending
 * input that the engine or the embedder refuses.
 */
enum RetrievalFailure {
  /** The engine's own failure: a timeout, a connection error, a 5xx, a 429, an unreadable answer. */
  BACKEND,
  /** The request itself was refused (a 4xx such as 400, or the embedder's refusal): the client's error. */
  REQUEST,
  /** Neither: our own overload, or a setup problem such as a wrong key (401/403) or a missing index (404). */
  OTHER;

  static RetrievalFailure of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ResponseException e) { // an IOException that carries the engine's answer
      return ofStatus(e.getResponse().getStatusLine().getStatusCode());
    }
    if (t instanceof BackendException e) {
      return e.status() == 200 ? BACKEND : ofStatus(e.status()); // 200: an answer we could not read
    }
    if (t instanceof TimeoutException || t instanceof IOException) {
      return BACKEND;
    }
    if (t instanceof IllegalArgumentException) {
      return REQUEST; // the embedder refuses a text it cannot embed
    }
    return OTHER;
  }

  static RetrievalFailure ofStatus(int status) {
    if (status >= 500 || status == 429 || status == 408) {
      return BACKEND;
    }
    if (status == 401 || status == 403 || status == 404) {
      return OTHER;
    }
    return status >= 400 ? REQUEST : OTHER;
  }
}
