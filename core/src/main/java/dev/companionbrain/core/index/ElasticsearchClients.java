package dev.companionbrain.core.index;

import dev.companionbrain.core.config.EngineAddresses;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/** Low-level clients of the Elasticsearch API, with credentials when they are configured. */
public final class ElasticsearchClients {
  private ElasticsearchClients() {}

  /**
   * @param engines the Elasticsearch URL, and its login when {@code elasticsearchUsername} is set
   * @param maxConnections connection pool bound, or 0 for the client's defaults
   */
  public static RestClientBuilder builder(EngineAddresses engines, int maxConnections) {
    String username = engines.elasticsearchUsername();
    String password = engines.elasticsearchPassword();
    return RestClient.builder(HttpHost.create(engines.elasticsearchUrl())).setHttpClientConfigCallback(h -> {
      if (maxConnections > 0) {
        h.setMaxConnTotal(maxConnections).setMaxConnPerRoute(maxConnections);
      }
      if (username != null) {
        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
        credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(username, password));
        h.setDefaultCredentialsProvider(credentials);
      }
      return h;
    });
  }
}
