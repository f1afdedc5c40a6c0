package dev.companionbrain.query;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many searches run at once: at most {@code perClient} for one client and {@code total} in all.
 * A client over its share is answered 429 while the others are still served; one client with many
 * connections can no longer take every permit.
 */
final class Admission {
  private final Semaphore total;
  private final int perClient;
  private final int totalPermits;
  private final ConcurrentHashMap<String, Integer> inFlight = new ConcurrentHashMap<>();

  Admission(int total, int perClient) {
    if (total < 1 || perClient < 1) {
      throw new IllegalArgumentException("search limits must be at least 1, got total " + total + ", per client " + perClient);
    }
    this.total = new Semaphore(total);
    this.totalPermits = total;
    this.perClient = perClient;
  }

  /**
   * Admits one search of {@code client}, or throws 429.
   *
   * @return what {@link #release} takes back when the search is done
   */
  String admit(String client) {
    return admit(client, perClient);
  }

  /**
   * Admits one search of {@code client} whose share is {@code share} searches at once (an API key's
   * own share), or throws 429.
   */
  String admit(String client, int share) {
    boolean[] granted = {false};
    inFlight.compute(client, (k, n) -> {
      int running = n == null ? 0 : n;
      if (running >= share) {
        return n;
      }
      granted[0] = true;
      return running + 1;
    });
    if (!granted[0]) {
      throw new ApiException.TooManyRequests("this client has " + share + " searches running; retry after 1 s");
    }
    if (!total.tryAcquire()) {
      leave(client);
      throw new ApiException.TooManyRequests("the service has " + totalPermits + " searches running; retry after 1 s");
    }
    return client;
  }

  void release(String client) {
    total.release();
    leave(client);
  }

  private void leave(String client) {
    inFlight.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Searches running for {@code client} now. */
  int running(String client) {
    return inFlight.getOrDefault(client, 0);
  }

  /** Clients with a search running now (the map never keeps an idle client). */
  int clients() {
    return inFlight.size();
  }
}
