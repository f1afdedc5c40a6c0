package dev.companionbrain.core.cache;

/** Redis key names shared by the indexing job and the query service. */
public final class RedisKeys {
  /** Counter bumped after each checkpoint that wrote documents. */
  public static final String GENERATION = "brain:index:generation";
  /** Pub/sub channel on which each new generation is published. */
  public static final String GENERATION_CHANNEL = "brain:index:generation";
  /** The newest generation's {@link GenerationNotice} JSON (what a poller reads to learn its publication time). */
  public static final String GENERATION_NOTICE = "brain:index:generation:notice";

  private RedisKeys() {}

  /** Claimed by the one query service instance that refreshes a cached window at a generation. */
  public static String refreshClaim(String windowKey, long generation) {
    return "brain:refresh:" + windowKey + ":" + generation;
  }

  /** JSON of a document's display fields (id, title, url, tags, updated_at, snippet). */
  public static String document(String id) {
    return "brain:doc:" + id;
  }
}
