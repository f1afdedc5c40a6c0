package dev.companionbrain.core.cache;

/** Redis key names shared by the indexing job and the query service. */
public final class RedisKeys {
  /** Counter bumped after each checkpoint that wrote documents. */
  public static final String GENERATION = "brain:index:generation";
  /** Pub/sub channel on which each new generation is published. */
  public static final String GENERATION_CHANNEL = "brain:index:generation";

  private RedisKeys() {}

  /** JSON of a document's display fields (id, title, url, tags, updated_at, snippet). */
  public static String document(String id) {
    return "brain:doc:" + id;
  }
}
