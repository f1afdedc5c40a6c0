package dev.companionbrain.query;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A circuit breaker per Redis node, so that one Redis Cluster master lost opens only its own: the keys
 * of the other masters' slots keep their L2 hits while its replica takes over, and once the slot moves
 * to the promoted replica its keys meet that node's breaker, closed. On one Redis there is one node.
 * Calls that span nodes (a read of many keys) take the breaker of {@link #ACROSS_NODES}.
 */
final class NodeBreakers {
  /** The breaker name of the calls that read from several nodes at once. */
  static final String ACROSS_NODES = "*";

  private final CircuitBreakerConfig config;
  private final Map<String, CircuitBreaker> byNode = new ConcurrentHashMap<>();

  NodeBreakers(CircuitBreakerConfig config) {
    this.config = config;
  }

  /** The breaker of {@code node} (a cluster node id, "" for one Redis, or {@link #ACROSS_NODES}). */
  CircuitBreaker of(String node) {
    return byNode.computeIfAbsent(node, n -> CircuitBreaker.of("redis" + (n.isEmpty() ? "" : " " + n), config));
  }
}
