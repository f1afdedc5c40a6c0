package dev.companionbrain.localstack;

import java.util.concurrent.CountDownLatch;

/** Starts the stack, prints the addresses, and runs until Ctrl-C. */
public final class LocalStackMain {
  private LocalStackMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalStack stack = LocalStack.start();
    Endpoints e = stack.endpoints();
    System.out.printf("local stack up in %.1f s%n", stack.startupTime().toMillis() / 1000.0);
    System.out.println("  kafka          " + e.kafkaBootstrapServers());
    System.out.println("  elasticsearch  " + e.elasticsearchUrl() + "  (OpenSearch 2.19 + k-NN)");
    System.out.println("  meilisearch    " + e.meilisearchUrl());
    System.out.println("  redis          " + e.redisUri());
    System.out.println("Ctrl-C stops everything.");
    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping the local stack");
      stack.close();
      System.out.println("local stack stopped");
      done.countDown();
    }));
    done.await();
  }
}
