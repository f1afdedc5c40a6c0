package dev.companionbrain.query;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.companionbrain.core.search.SearchDefaults;
import dev.companionbrain.core.search.SearchQuery;
import dev.companionbrain.core.search.backend.BackendException;
import dev.companionbrain.core.search.backend.Bm25Retrieval;
import dev.companionbrain.core.search.backend.KeywordStream;
import dev.companionbrain.core.search.backend.Retrieval;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /search/stream?q=&tags=}: every match of a keyword (BM25) query as NDJSON, one line
 * {@code {"id","score","title","url","tags","updated_at"}} per document in rank order, written a scroll
 * page at a time ({@link KeywordStream}) and flushed after each page. Memory is one page whatever the
 * size of the result: the next page is asked of the engine only once the last one is written, and a
 * client that reads slowly holds the writes back. A write that fails (the client went away) ends the
 * stream, and the engine's scroll is deleted. At most {@link #MAX_STREAMS} streams run at once on an
 * instance; past that a request is answered 429.
 */
final class StreamHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamHandler.class);
  private static final JsonFactory JSON = new JsonFactory();
  /** Streams one instance runs at once (docs/API.md). */
  static final int MAX_STREAMS = 4;

  private final SearchDefaults defaults;
  private final KeywordStream engine;
  private final Semaphore running = new Semaphore(MAX_STREAMS);
  private final Counter documents;
  private final Counter completed;
  private final Counter abandoned;
  private final Counter failed;

  /**
   * @param keyword the keyword retrieval; streams need the one on the Elasticsearch API ({@link
   *     Bm25Retrieval}), any other answers 503
   */
  StreamHandler(SearchDefaults defaults, Retrieval keyword, MeterRegistry registry) {
    this.defaults = defaults;
    this.engine = keyword instanceof Bm25Retrieval bm25 ? bm25.stream() : null;
    this.documents = Counter.builder("brain_stream_documents")
        .description("documents written by /search/stream").register(registry);
    String streams = "brain_streams";
    String what = "streams of /search/stream by how they ended";
    this.completed = Counter.builder(streams).description(what).tag("outcome", "completed").register(registry);
    this.abandoned = Counter.builder(streams).description(what).tag("outcome", "abandoned").register(registry);
    this.failed = Counter.builder(streams).description(what).tag("outcome", "failed").register(registry);
  }

  void get(Context ctx) {
    KeyCheck.Caller caller = ctx.attribute(SearchHandler.CALLER);
    // q and tags as /search checks them; k, offset and the rest are a page's and mean nothing here
    SearchQuery asked = SearchQuery.fromParams(name -> switch (name) {
      case "q", "tags" -> ctx.queryParam(name);
      default -> null;
    }, defaults);
    List<String> tags = SearchHandler.tagsFor(caller, asked.tags());
    if (engine == null) {
      throw ApiException.unavailable("streaming needs the keyword retriever on the Elasticsearch API");
    }
    if (!running.tryAcquire()) {
      throw new ApiException.TooManyRequests("this instance has " + MAX_STREAMS + " streams running; retry after 1 s");
    }
    try {
      stream(ctx, asked.q(), tags);
    } finally {
      running.release();
    }
  }

  private void stream(Context ctx, String q, List<String> tags) {
    ctx.status(200).contentType("application/x-ndjson");
    ctx.header("Cache-Control", "no-store");
    OutputStream out;
    try {
      out = ctx.res().getOutputStream();
    } catch (IOException e) {
      abandoned.increment();
      return;
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(256 * KeywordStream.PAGE_SIZE);
    boolean[] writing = {false};
    long[] written = {0};
    try {
      engine.forEachPage(q, tags, page -> {
        buffer.reset();
        try (JsonGenerator json = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
          json.setRootValueSeparator(null); // each line ends with its newline, nothing between
          for (KeywordStream.Hit hit : page) {
            line(json, hit);
          }
        }
        writing[0] = true;
        buffer.writeTo(out);
        out.flush();
        writing[0] = false;
        written[0] += page.size();
        documents.increment(page.size());
      });
      out.flush();
      completed.increment();
    } catch (IOException e) {
      if (writing[0]) {
        abandoned.increment(); // the client closed the connection: the scroll is deleted already
        LOG.debug("stream abandoned after {} documents: {}", written[0], e.toString());
      } else {
        failEngine(ctx, out, written[0], e);
      }
    } catch (BackendException e) {
      failEngine(ctx, out, written[0], e);
    }
  }

  /**
   * The engine failed. Before the first line is sent the answer is still an error (503); after it,
   * the status is sent already, and the stream ends with one last line {@code {"error":{"code",
   * "message"}}} instead of a document, so a client never takes a cut stream for the whole result.
   */
  private void failEngine(Context ctx, OutputStream out, long written, Exception e) {
    failed.increment();
    LOG.warn("stream failed after {} documents: {}", written, e.toString());
    if (!ctx.res().isCommitted()) {
      ctx.res().reset();
      throw ApiException.unavailable("the keyword engine failed; retry shortly");
    }
    try {
      out.write(JsonErrors.body("backends_unavailable", "the keyword engine failed after " + written
          + " documents; the stream is incomplete"));
      out.write('\n');
      out.flush();
    } catch (IOException gone) {
      LOG.debug("the client went away too: {}", gone.toString());
    }
  }

  private static void line(JsonGenerator json, KeywordStream.Hit hit) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", hit.id());
    json.writeNumberField("score", hit.score());
    json.writeStringField("title", hit.title());
    json.writeStringField("url", hit.url());
    json.writeArrayFieldStart("tags");
    for (String tag : hit.tags()) {
      json.writeString(tag);
    }
    json.writeEndArray();
    json.writeStringField("updated_at", hit.updatedAt());
    json.writeEndObject();
    json.writeRaw('\n');
  }
}
