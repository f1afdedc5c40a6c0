package dev.companionbrain.localstack;

/**
 * Marks a test class that runs on the stack's Redis Cluster ({@link LocalStack#redisCluster()}):
 * {@link LocalStackExtension} injects it {@link Endpoints} whose {@code redisUri} names the cluster's
 * nodes instead of the one Redis. A subclass of an IT that implements this runs that IT's tests again
 * on a cluster.
 */
public interface OnRedisCluster {}
