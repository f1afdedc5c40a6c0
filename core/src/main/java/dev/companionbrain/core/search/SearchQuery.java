package dev.companionbrain.core.search;

import static dev.companionbrain.core.search.BadRequestException.quoted;

import dev.companionbrain.core.text.VisibleText;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A validated search request. Build it from request parameters with {@link #fromParams}; the
 * canonical constructor enforces the same limits, so every instance is valid.
 *
 * @param q the query text as {@link VisibleText#clean} leaves it (separators one space, invisible
 *     characters dropped); 1 to {@value #MAX_QUERY_CHARS} characters (Unicode code points)
 * @param mode which retrievers to use
 * @param k page size, 1 to {@value #MAX_K}
 * @param offset how many fused hits to skip, 0 to {@value #MAX_OFFSET}
 * @param tags tag filter, distinct, in request order; at most {@value #MAX_TAGS}, each 1 to
 *     {@value #MAX_TAG_CHARS} characters of {@code [A-Za-z0-9 _:.\-/]}, no surrounding spaces
 * @param fusion how a hybrid search merges the lists
 * @param weights weight of each retriever in the fusion (explicit or the default of {@code fusion})
 * @param explain whether the response explains each hit's score
 * @param correct whether the words of {@code q} the index does not contain may be corrected from the
 *     index's vocabulary before the search (the service's {@code BRAIN_QUERY_CORRECTION} can switch it
 *     off for every request)
 */
public record SearchQuery(
    String q,
    SearchMode mode,
    int k,
    int offset,
    List<String> tags,
    FusionMethod fusion,
    Weights weights,
    boolean explain,
    boolean correct) {

  /** Longest query, in characters (Unicode code points) after stripping surrounding whitespace. */
  public static final int MAX_QUERY_CHARS = 512;
  /** Largest page size. */
  public static final int MAX_K = 100;
  /** Largest offset. */
  public static final int MAX_OFFSET = 1000;
  /** Most tags in one request. */
  public static final int MAX_TAGS = 20;
  /** Longest tag, in characters. */
  public static final int MAX_TAG_CHARS = 64;
  /** Page size when the request gives none. */
  public static final int DEFAULT_K = 10;

  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9 _:.\\-/]{1," + MAX_TAG_CHARS + "}");

  /**
   * Strips {@code q}, drops duplicate tags and checks every limit.
   *
   * @throws BadRequestException {@code invalid_query} (blank q), {@code query_too_long}, {@code
   *     invalid_k}, {@code invalid_offset} or {@code invalid_tags}
   * @throws NullPointerException if {@code mode}, {@code tags}, {@code fusion} or {@code weights}
   *     is null
   */
  public SearchQuery {
    if (VisibleText.isEmpty(q)) {
      throw new BadRequestException("invalid_query",
          q == null || q.isEmpty() ? "q is required" : "q has nothing to search for (only spaces, control or invisible characters)");
    }
    q = VisibleText.clean(q);
    int chars = q.codePointCount(0, q.length());
    if (chars > MAX_QUERY_CHARS) {
      throw new BadRequestException(
          "query_too_long", "q has " + chars + " characters; at most " + MAX_QUERY_CHARS + " are allowed");
    }
    Objects.requireNonNull(mode, "mode");
    if (k < 1 || k > MAX_K) {
      throw new BadRequestException("invalid_k", "k must be between 1 and " + MAX_K + ", got " + k);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new BadRequestException(
          "invalid_offset", "offset must be between 0 and " + MAX_OFFSET + ", got " + offset);
    }
    tags = checkedTags(tags);
    Objects.requireNonNull(fusion, "fusion");
    Objects.requireNonNull(weights, "weights");
  }

  /**
   * Parses and validates request parameters, applying defaults for the absent ones.
   *
   * <ul>
   *   <li>{@code q}: required; {@linkplain VisibleText#clean cleaned}; {@linkplain
   *       VisibleText#isEmpty empty} gives {@code invalid_query}, longer than {@value #MAX_QUERY_CHARS} gives {@code query_too_long}.
   *   <li>{@code mode}: hybrid (default), text, keyword or vector; else {@code invalid_mode}.
   *   <li>{@code k}: integer 1 to {@value #MAX_K}, default {@value #DEFAULT_K}; else {@code
   *       invalid_k}.
   *   <li>{@code offset}: integer 0 to {@value #MAX_OFFSET}, default 0; else {@code
   *       invalid_offset}.
   *   <li>{@code tags}: comma-separated, each stripped; a blank parameter means no tags, but an
   *       empty element (as in {@code "a,,b"}) is an error; duplicates are dropped; more than
   *       {@value #MAX_TAGS} elements or a bad tag gives {@code invalid_tags}.
   *   <li>{@code fusion}: rrf or weighted, default {@link SearchDefaults#fusion()}; else {@code
   *       invalid_fusion}.
   *   <li>{@code weights}: a {@link Weights#parse spec}, default {@link
   *       SearchDefaults#weightsFor} the fusion; else {@code invalid_weights}.
   *   <li>{@code explain}: true or false (any case), default false; else {@code invalid_explain}.
   *   <li>{@code correct}: true or false (any case), default true; else {@code invalid_correct}.
   * </ul>
   *
   * <p>A parameter that is present but empty (such as {@code "k="}) is invalid, except {@code tags}.
   *
   * @param param the value of a parameter, or null when the request does not have it
   * @throws BadRequestException naming the first bad parameter, in the order above
   */
  public static SearchQuery fromParams(Function<String, String> param, SearchDefaults defaults) {
    Objects.requireNonNull(param, "param");
    Objects.requireNonNull(defaults, "defaults");
    String rawQ = param.apply("q");
    if (rawQ == null) {
      throw new BadRequestException("invalid_query", "q is required");
    }
    String q = rawQ.strip();
    if (q.isEmpty()) {
      throw new BadRequestException("invalid_query", "q must not be blank");
    }
    String modeParam = param.apply("mode");
    SearchMode mode = modeParam == null ? SearchMode.HYBRID : SearchMode.fromWire(modeParam);
    int k = intParam(param.apply("k"), DEFAULT_K, "k", "invalid_k");
    int offset = intParam(param.apply("offset"), 0, "offset", "invalid_offset");
    List<String> tags = tagsParam(param.apply("tags"));
    String fusionParam = param.apply("fusion");
    FusionMethod fusion =
        fusionParam == null ? defaults.fusion() : FusionMethod.fromWire(fusionParam);
    String weightsParam = param.apply("weights");
    Weights weights =
        weightsParam == null ? defaults.weightsFor(fusion) : Weights.parse(weightsParam);
    boolean explain = booleanParam(param.apply("explain"), false, "explain", "invalid_explain");
    boolean correct = booleanParam(param.apply("correct"), true, "correct", "invalid_correct");
    return new SearchQuery(q, mode, k, offset, tags, fusion, weights, explain, correct);
  }

  private static int intParam(String value, int absent, String name, String code) {
    if (value == null) {
      return absent;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new BadRequestException(code, name + " must be an integer, got " + quoted(value));
    }
  }

  private static List<String> tagsParam(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    String[] elements = value.split(",", -1);
    if (elements.length > MAX_TAGS) {
      throw tooManyTags(elements.length);
    }
    List<String> tags = new ArrayList<>(elements.length);
    for (String element : elements) {
      tags.add(element.strip());
    }
    return tags;
  }

  private static boolean booleanParam(String value, boolean absent, String name, String code) {
    if (value == null) {
      return absent;
    }
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new BadRequestException(code, name + " must be true or false, got " + quoted(value));
    };
  }

  /** This search of {@code otherQ} (a corrected query); every other parameter as it is. */
  public SearchQuery withQ(String otherQ) {
    return new SearchQuery(otherQ, mode, k, offset, tags, fusion, weights, explain, correct);
  }

  /** This search filtered by {@code otherTags} (a tenant's); every other parameter as it is. */
  public SearchQuery withTags(List<String> otherTags) {
    return new SearchQuery(q, mode, k, offset, otherTags, fusion, weights, explain, correct);
  }

  /**
   * {@code tags} distinct, in order, if each is a valid tag and they are at most {@link #MAX_TAGS}.
   *
   * @throws BadRequestException {@code invalid_tags}
   */
  public static List<String> checkedTags(List<String> tags) {
    Objects.requireNonNull(tags, "tags");
    if (tags.size() > MAX_TAGS) {
      throw tooManyTags(tags.size());
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (String tag : tags) {
      if (tag == null || !TAG.matcher(tag).matches() || !tag.equals(tag.strip())) {
        throw new BadRequestException(
            "invalid_tags",
            "tag " + quoted(tag) + " must be 1 to " + MAX_TAG_CHARS
                + " characters of letters, digits, space, '_', ':', '.', '-' or '/'"
                + " and must not start or end with a space");
      }
      distinct.add(tag);
    }
    return List.copyOf(distinct);
  }

  private static BadRequestException tooManyTags(int count) {
    return new BadRequestException(
        "invalid_tags", "at most " + MAX_TAGS + " tags are allowed, got " + count);
  }

  /**
   * The retrievers this search queries: the mode's single retriever, or for {@link
   * SearchMode#HYBRID} the retrievers with a weight {@code > 0}.
   */
  public Set<Retriever> retrievers() {
    return mode.single().map(retriever -> Set.of(retriever)).orElseGet(weights::active);
  }

  /**
   * The candidate window this request's page is cut from: everything but offset, k and explain,
   * and a window of {@link WindowQuery#sizeFor} {@code (offset + k, windowHits)} hits.
   */
  public WindowQuery window(int windowHits) {
    return new WindowQuery(q, mode, tags, fusion, weights, WindowQuery.sizeFor(offset + k, windowHits));
  }
}
