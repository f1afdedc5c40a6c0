package dev.companionbrain.localstack.opensearch;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import java.util.concurrent.CountDownLatch;
import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Runs one OpenSearch node with k-NN (lucene engine) and {@link TypeFieldPlugin}. Started by
 * local-stack in a child JVM: {@code OpenSearchNodeMain <basePath> <httpPort> <transportPort>}.
 * Stops on SIGTERM.
 */
public final class OpenSearchNodeMain {
  private OpenSearchNodeMain() {}

  public static void main(String[] args) throws Exception {
    String basePath = args[0];
    int httpPort = Integer.parseInt(args[1]);
    int transportPort = Integer.parseInt(args[2]);
    OpenSearchRunner runner = new OpenSearchRunner();
    runner.onBuild((index, settings) -> {
      settings.put("http.host", "127.0.0.1");
      settings.put("http.port", Integer.toString(httpPort));
      settings.put("transport.host", "127.0.0.1");
      settings.put("transport.port", Integer.toString(transportPort));
      settings.put("discovery.type", "single-node");
      settings.putList("node.roles", "cluster_manager", "data", "ingest");
      settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
      settings.put("action.auto_create_index", "true");
    });
    runner.build(newConfigs()
        .basePath(basePath)
        .numOfNode(1)
        .clusterName("companion-brain-local")
        .disableESLogger()
        .pluginTypes("org.opensearch.knn.plugin.KNNPlugin," + TypeFieldPlugin.class.getName()));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        runner.close();
      } catch (Exception ignored) {
        // stopping anyway
      } finally {
        stopped.countDown();
      }
    }));
    System.out.println("OPENSEARCH READY http://127.0.0.1:" + httpPort);
    stopped.await();
  }
}
