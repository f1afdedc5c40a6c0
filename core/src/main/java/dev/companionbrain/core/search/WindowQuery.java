package dev.companionbrain.core.search;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.companionbrain.core.text.VisibleText;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What decides a request's fused candidate window, the unit the caches keep: the query text, mode,
 * tags, fusion and weights, and how many fused hits the window holds. Offset, k and explain are not
 * part of it: every page of a query is cut from the same window, so pages never repeat or skip a hit.
 *
 * <p>Its JSON (in the latency events, the warm requests) is the request's own parameters, read back
 * through the same validation as a request: {@code {"q":"wing flutter","mode":"hybrid","tags":[],
 * "fusion":"weighted","weights":"text:0.2,keyword:0.4,vector:1","size":100}}.
 *
 * @param size how many fused hits the window holds; every retriever fetches that many candidates
 */
public record WindowQuery(String q, SearchMode mode, List<String> tags, FusionMethod fusion, Weights weights, int size) {
  /** Bump the version whenever the canonical form or the meaning of a cached window changes. */
  private static final String CACHE_KEY_PREFIX = "search:v3:";
  /** Largest window: the deepest page a request may ask for. */
  public static final int MAX_SIZE = SearchQuery.MAX_OFFSET + SearchQuery.MAX_K;

  /** Validates like a request (the same limits as {@link SearchQuery}); {@code q} is cleaned. */
  public WindowQuery {
    SearchQuery checked = new SearchQuery(q, mode, 1, 0, tags, fusion, weights, false, false);
    q = checked.q();
    tags = checked.tags();
    if (size < 1 || size > MAX_SIZE) {
      throw new BadRequestException("invalid_window", "a window holds 1 to " + MAX_SIZE + " hits, got " + size);
    }
  }

  /**
   * The size of the window a page of {@code offset + k} hits is cut from: {@code windowHits}, doubled
   * until the page fits (at most {@link #MAX_SIZE}). All pages within the first {@code windowHits}
   * hits share one window.
   */
  public static int sizeFor(int offsetPlusK, int windowHits) {
    int size = Math.max(1, windowHits);
    while (size < offsetPlusK) {
      size *= 2;
    }
    return Math.min(size, MAX_SIZE);
  }

  /** The retrievers this window queries (see {@link SearchQuery#retrievers}). */
  public java.util.Set<Retriever> retrievers() {
    return mode.single().map(retriever -> java.util.Set.of(retriever)).orElseGet(weights::active);
  }

  /**
   * The window's fused hits from its retrievers' ranked lists: the first {@link #size} hits of each
   * list, fused by this query's fusion (one retriever's ranking in a single mode), {@code size}
   * kept. A fresh search and a cached window patched with changed documents fuse through this one
   * method, so both rank alike. Lists may be longer than {@code size} (a window keeps a reserve).
   */
  public List<FusedHit> fuse(Map<Retriever, List<ScoredId>> ranked) {
    Map<Retriever, List<ScoredId>> firsts = new java.util.EnumMap<>(Retriever.class);
    ranked.forEach((r, list) -> firsts.put(r, list.size() > size ? list.subList(0, size) : list));
    Fusion fusion = mode.single().map(Fusion::single).orElseGet(() -> this.fusion.create(weights));
    return fusion.fuse(firsts, size);
  }

  /**
   * The text that {@link #cacheKey} hashes and an in-process cache uses as its key: one {@code
   * name=value} line per field, free text length-prefixed so no value can imitate another field.
   * Requests that must give the same window give the same form: the query lower-cased with
   * whitespace runs collapsed ({@link VisibleText#normalize}), tags as a sorted set, every default
   * applied (so {@code ?q=Foo} and {@code ?q=foo&k=10&mode=hybrid} share a window). It carries no
   * index generation: a cached window records the generation it was computed at, and the cache
   * decides whether it may still be served.
   */
  public String canonicalForm() {
    String normalizedQ = VisibleText.normalize(q);
    StringBuilder canonical = new StringBuilder(normalizedQ.length() + 160).append(CACHE_KEY_PREFIX).append('\n');
    canonical.append("q=").append(normalizedQ.length()).append(':').append(normalizedQ).append('\n');
    canonical.append("mode=").append(mode.wireName()).append('\n');
    Collection<String> sortedTags = tags.size() < 2 ? tags : new TreeSet<>(tags);
    canonical.append("tags=").append(sortedTags.size());
    for (String tag : sortedTags) {
      canonical.append('|').append(tag.length()).append(':').append(tag);
    }
    canonical.append('\n');
    canonical.append("fusion=").append(fusion.wireName()).append('\n');
    canonical.append("weights=").append(weights.toSpec()).append('\n');
    canonical.append("size=").append(size).append('\n');
    return canonical.toString();
  }

  /** The shared cache's key: {@code "search:v3:"} and the hex SHA-256 of {@link #canonicalForm}. */
  public String cacheKey() {
    return cacheKeyOf(canonicalForm());
  }

  /** The pattern every shared-cache key of this version matches (for KEYS or SCAN). */
  public static String cacheKeyPattern() {
    return CACHE_KEY_PREFIX + "*";
  }

  /** The shared cache's key of a window whose {@link #canonicalForm} is {@code canonicalForm}. */
  public static String cacheKeyOf(String canonicalForm) {
    return CACHE_KEY_PREFIX + HexFormat.of().formatHex(sha256(canonicalForm));
  }

  /** The request parameters this window is the answer of (the JSON form). */
  @JsonValue
  public Map<String, Object> params() {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("q", q);
    params.put("mode", mode.wireName());
    params.put("tags", tags);
    params.put("fusion", fusion.wireName());
    params.put("weights", weights.toSpec());
    params.put("size", size);
    return params;
  }

  /**
   * Writes {@link #params} as they are serialised, field by field with {@code g}, without making the
   * map: every latency event carries its window (LatencyEventTest holds the two equal).
   */
  public void writeJson(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException {
    g.writeStartObject();
    g.writeStringField("q", q);
    g.writeStringField("mode", mode.wireName());
    g.writeArrayFieldStart("tags");
    for (String tag : tags) {
      g.writeString(tag);
    }
    g.writeEndArray();
    g.writeStringField("fusion", fusion.wireName());
    g.writeStringField("weights", weights.toSpec());
    g.writeNumberField("size", size);
    g.writeEndObject();
  }

  /**
   * Reads {@link #params} back through the request validation.
   *
   * @throws BadRequestException naming the first bad parameter
   */
  @JsonCreator
  public static WindowQuery fromParams(Map<String, Object> params) {
    Objects.requireNonNull(params, "params");
    Object q = params.get("q");
    Object mode = params.get("mode");
    Object fusion = params.get("fusion");
    Object weights = params.get("weights");
    Object size = params.get("size");
    List<String> tags = new ArrayList<>();
    if (params.get("tags") instanceof List<?> list) {
      list.forEach(t -> tags.add(String.valueOf(t)));
    } else if (params.get("tags") != null) {
      throw new BadRequestException("invalid_tags", "tags must be a list");
    }
    if (!(q instanceof String text) || !(size instanceof Number n)) {
      throw new BadRequestException("invalid_query", "a window needs q and size");
    }
    FusionMethod method = FusionMethod.fromWire(fusion == null ? null : fusion.toString());
    return new WindowQuery(text, mode == null ? SearchMode.HYBRID : SearchMode.fromWire(mode.toString()), tags, method,
        weights == null ? null : Weights.parse(weights.toString()), n.intValue());
  }

  /** One digest per thread: looking the algorithm up per request costs more than hashing. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  });

  private static byte[] sha256(String text) {
    MessageDigest digest = SHA_256.get();
    digest.reset();
    return digest.digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
