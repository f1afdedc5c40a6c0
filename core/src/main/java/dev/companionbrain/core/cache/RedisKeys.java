package dev.companionbrain.core.cache;

/**
 * Redis key names shared by the indexing job and the query service. The generation's keys carry one
 * hash tag, {@code {generation}}, so that on a Redis Cluster they share a slot: the counter, the newest
 * notice and a run of missed notices are read in one MGET from one master.
 */
public final class RedisKeys {
  /** Counter bumped after each checkpoint that wrote documents. */
  public static final String GENERATION = "brain:index:{generation}";
  /** Pub/sub channel on which each new generation is published. */
  public static final String GENERATION_CHANNEL = "brain:index:generation";
  /** The newest generation's {@link GenerationNotice} JSON (what a poller reads to learn its publication time). */
  public static final String GENERATION_NOTICE = "brain:index:{generation}:notice";

  /** How long {@link #generationNotice(long)} keeps the notice of one generation, seconds. */
  public static final long GENERATION_NOTICE_TTL_SECONDS = 600;

  private RedisKeys() {}

  /**
   * The {@link GenerationNotice} JSON of one generation, kept for {@link #GENERATION_NOTICE_TTL_SECONDS}:
   * a query service that missed generations on the channel (a dropped subscription, a poll that skipped
   * several) reads here what each of them changed. Gone (expired, or never written by an older job): a
   * reader must assume that generation changed anything.
   */
  public static String generationNotice(long generation) {
    return GENERATION_NOTICE + ":" + generation;
  }

  private static final String REFRESH_CLAIM_PREFIX = "brain:refresh:";
  /** The pattern every refresh claim matches (for KEYS or SCAN). */
  public static final String REFRESH_CLAIMS = REFRESH_CLAIM_PREFIX + "*";

  /** Claimed by the one query service instance that refreshes a cached window at a generation. */
  public static String refreshClaim(String windowKey, long generation) {
    return REFRESH_CLAIM_PREFIX + windowKey + ":" + generation;
  }

  /** The {@link dev.companionbrain.core.auth.ApiKey} JSON of the key whose SHA-256 is {@code hash}. */
  public static String apiKey(String hash) {
    return "brain:apikey:" + hash;
  }

  /** A hash of every key's id to its SHA-256 ({@code brain keys list} and {@code revoke} read it). */
  public static final String API_KEY_IDS = "brain:apikeys";

  /** JSON of a document's display fields (id, title, url, tags, updated_at, snippet). */
  public static String document(String id) {
    return "brain:doc:" + id;
  }
}
