package dev.companionbrain.core.index;

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
   * @param username null for none
   * @param password the password (a secret, never logged)
   * @param maxConnections connection pool bound, or 0 for the client's defaults
   */
  public static RestClientBuilder builder(String url, String username, String password, int maxConnections) {
    return RestClient.builder(HttpHost.create(url)).setHttpClientConfigCallback(h -> {
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
