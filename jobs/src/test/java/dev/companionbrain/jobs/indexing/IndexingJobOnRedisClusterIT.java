package dev.companionbrain.jobs.indexing;

import dev.companionbrain.localstack.OnRedisCluster;

/**
 * {@link IndexingJobIT} again with Redis a real Redis Cluster (three masters, three replicas): the
 * hydration entries spread over the masters' slots, the generation counter and its notices in the
 * one slot of their hash tag.
 */
class IndexingJobOnRedisClusterIT extends IndexingJobIT implements OnRedisCluster {}
