package dev.companionbrain.localstack.opensearch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.opensearch.common.util.concurrent.ThreadContext;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.plugins.ActionPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestChannel;
import org.opensearch.rest.RestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.RestResponse;

/**
 * Test-only: OpenSearch 2 no longer writes {@code "_type"} in document responses, and the
 * Elasticsearch 7.10 high-level client (so flink-connector-elasticsearch7) requires it. This plugin
 * wraps every REST handler and adds {@code "_type":"_doc"} next to each {@code "_index"} of a JSON
 * response that lacks a type. Production Elasticsearch 7.17 writes it itself.
 */
public final class TypeFieldPlugin extends Plugin implements ActionPlugin {
  private static final Pattern INDEX_KEY = Pattern.compile("\"_index\"(\\s*):");

  @Override
  public UnaryOperator<RestHandler> getRestHandlerWrapper(ThreadContext threadContext) {
    return handler -> new RestHandler.Wrapper(handler) {
      @Override
      public void handleRequest(RestRequest request, RestChannel channel, org.opensearch.client.node.NodeClient client)
          throws Exception {
        super.handleRequest(request, new TypedChannel(channel), client);
      }
    };
  }

  static String addType(String json) {
    if (!json.contains("\"_index\"") || json.contains("\"_type\"")) {
      return json;
    }
    return INDEX_KEY.matcher(json).replaceAll("\"_type\"$1:$1\"_doc\",\"_index\"$1:");
  }

  private static final class TypedChannel implements RestChannel {
    private final RestChannel delegate;

    TypedChannel(RestChannel delegate) {
      this.delegate = delegate;
    }

    @Override
    public org.opensearch.core.xcontent.XContentBuilder newBuilder() throws java.io.IOException {
      return delegate.newBuilder();
    }

    @Override
    public org.opensearch.core.xcontent.XContentBuilder newErrorBuilder() throws java.io.IOException {
      return delegate.newErrorBuilder();
    }

    @Override
    public org.opensearch.core.xcontent.XContentBuilder newBuilder(
        org.opensearch.core.xcontent.MediaType type, boolean useFiltering) throws java.io.IOException {
      return delegate.newBuilder(type, useFiltering);
    }

    @Override
    public org.opensearch.core.xcontent.XContentBuilder newBuilder(org.opensearch.core.xcontent.MediaType type,
        org.opensearch.core.xcontent.MediaType responseType, boolean useFiltering) throws java.io.IOException {
      return delegate.newBuilder(type, responseType, useFiltering);
    }

    @Override
    public org.opensearch.common.io.stream.BytesStreamOutput bytesOutput() {
      return delegate.bytesOutput();
    }

    @Override
    public RestRequest request() {
      return delegate.request();
    }

    @Override
    public boolean detailedErrorsEnabled() {
      return delegate.detailedErrorsEnabled();
    }

    @Override
    public void sendResponse(RestResponse response) {
      String type = response.contentType();
      if (type == null || !type.startsWith("application/json") || response.content() == null) {
        delegate.sendResponse(response);
        return;
      }
      String body = response.content().utf8ToString();
      String typed = addType(body);
      if (typed.equals(body)) {
        delegate.sendResponse(response);
        return;
      }
      BytesReference bytes = new BytesArray(typed.getBytes(StandardCharsets.UTF_8));
      BytesRestResponse rewritten = new BytesRestResponse(response.status(), type, bytes);
      for (Map.Entry<String, List<String>> header : response.getHeaders().entrySet()) {
        for (String value : header.getValue()) {
          rewritten.addHeader(header.getKey(), value);
        }
      }
      delegate.sendResponse(rewritten);
    }
  }
}
