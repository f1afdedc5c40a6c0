package dev.companionbrain.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SearchQueryTest {
  private static final Weights RRF_WEIGHTS = Weights.parse("text:1,keyword:1,vector:1");
  private static final Weights WEIGHTED_WEIGHTS = Weights.parse("text:0.2,keyword:0.4,vector:0.4");
  private static final SearchDefaults DEFAULTS =
      new SearchDefaults(FusionMethod.RRF, RRF_WEIGHTS, WEIGHTED_WEIGHTS);

  /** Request parameters from alternating names and values. */
  private static Map<String, String> params(String... namesAndValues) {
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      params.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return params;
  }

  private static SearchQuery parse(String... namesAndValues) {
    return SearchQuery.fromParams(params(namesAndValues)::get, DEFAULTS);
  }

  /** The shared cache's key of the window of a request, with windows of 100 hits. */
  private static String key(String... namesAndValues) {
    return parse(namesAndValues).window(100).cacheKey();
  }

  private static String form(String... namesAndValues) {
    return parse(namesAndValues).window(100).canonicalForm();
  }

  @Test
  void theCanonicalFormIsEqualExactlyWhenTheCacheKeyIs() {
    // L1 keys on the canonical form, L2 on its hash: the two must split requests the same way
    String[][] requests = {
        {"q", "Foo"}, {"q", " foo ", "k", "10", "mode", "hybrid"}, {"q", "foo", "k", "11"},
        {"q", "foo", "tags", "b,a"}, {"q", "foo", "tags", "a,b"}, {"q", "foo bar"}, {"q", "foo", "explain", "true"}};
    for (String[] a : requests) {
      for (String[] b : requests) {
        boolean sameForm = form(a).equals(form(b));
        assertThat(key(a).equals(key(b))).as("%s vs %s", String.join(",", a), String.join(",", b)).isEqualTo(sameForm);
        assertThat(WindowQuery.cacheKeyOf(form(a))).isEqualTo(key(a));
      }
    }
    assertThat(form("q", "Foo")).isEqualTo(form("q", "foo", "k", "10"));
  }

  @Test
  void appliesDefaults() {
    SearchQuery query = parse("q", "  hello   world ");

    assertThat(query.q()).as("cleaned: runs of whitespace are one space").isEqualTo("hello world");
    assertThat(query.mode()).isEqualTo(SearchMode.HYBRID);
    assertThat(query.k()).isEqualTo(10);
    assertThat(query.offset()).isZero();
    assertThat(query.tags()).isEmpty();
    assertThat(query.fusion()).isEqualTo(FusionMethod.RRF);
    assertThat(query.weights()).isEqualTo(RRF_WEIGHTS);
    assertThat(query.explain()).isFalse();
    assertThat(query.correct()).as("typos corrected unless the request says not").isTrue();
    assertThat(query.retrievers()).containsExactlyInAnyOrder(
        Retriever.TEXT, Retriever.KEYWORD, Retriever.VECTOR);
  }

  @Test
  void readsEveryParameter() {
    SearchQuery query =
        parse(
            "q", "rust async",
            "mode", "KEYWORD",
            "k", "20",
            "offset", " 60 ",
            "tags", " lang:rust , web/backend,lang:rust",
            "fusion", "Weighted",
            "weights", "keyword:1",
            "explain", "TRUE",
            "correct", " False ");

    assertThat(query.correct()).isFalse();
    assertThat(query.mode()).isEqualTo(SearchMode.KEYWORD);
    assertThat(query.k()).isEqualTo(20);
    assertThat(query.offset()).isEqualTo(60);
    assertThat(query.tags()).containsExactly("lang:rust", "web/backend");
    assertThat(query.fusion()).isEqualTo(FusionMethod.WEIGHTED);
    assertThat(query.weights()).isEqualTo(Weights.parse("keyword:1"));
    assertThat(query.explain()).isTrue();
    assertThat(query.retrievers()).containsExactly(Retriever.KEYWORD);
  }

  @Test
  void defaultWeightsFollowTheFusionMethod() {
    assertThat(parse("q", "x", "fusion", "weighted").weights()).isEqualTo(WEIGHTED_WEIGHTS);
    assertThat(parse("q", "x", "fusion", "rrf").weights()).isEqualTo(RRF_WEIGHTS);
    assertThat(parse("q", "x", "fusion", "weighted", "weights", "vector:1").weights())
        .isEqualTo(Weights.parse("vector:1"));
  }

  @Test
  void hybridQueriesOnlyTheRetrieversWithWeight() {
    assertThat(parse("q", "x", "weights", "text:0,keyword:2,vector:1").retrievers())
        .containsExactlyInAnyOrder(Retriever.KEYWORD, Retriever.VECTOR);
  }

  @Test
  void acceptsTheLimits() {
    String nineteenTags =
        IntStream.range(0, 19).mapToObj(i -> "tag" + i).collect(Collectors.joining(","));
    String longestTag = "t".repeat(64);
    SearchQuery query =
        parse(
            "q", "x".repeat(512),
            "k", "100",
            "offset", "1000",
            "tags", nineteenTags + "," + longestTag,
            "explain", "false");

    assertThat(query.q()).hasSize(512);
    assertThat(query.k()).isEqualTo(100);
    assertThat(query.offset()).isEqualTo(1000);
    assertThat(query.tags()).hasSize(20).contains("tag0", "tag18", longestTag);
    assertThat(parse("q", "x", "k", "1").k()).isEqualTo(1);
  }

  static Stream<Arguments> badRequests() {
    String twentyOneTags =
        IntStream.range(0, 21).mapToObj(i -> "tag" + i).collect(Collectors.joining(","));
    return Stream.of(
        Arguments.of(params(), "invalid_query"),
        Arguments.of(params("q", ""), "invalid_query"),
        Arguments.of(params("q", " \t "), "invalid_query"),
        Arguments.of(params("q", "x".repeat(513)), "query_too_long"),
        Arguments.of(params("q", " " + "x".repeat(513) + " "), "query_too_long"),
        Arguments.of(params("q", "x", "k", "0"), "invalid_k"),
        Arguments.of(params("q", "x", "k", "101"), "invalid_k"),
        Arguments.of(params("q", "x", "k", "abc"), "invalid_k"),
        Arguments.of(params("q", "x", "k", ""), "invalid_k"),
        Arguments.of(params("q", "x", "k", "2.5"), "invalid_k"),
        Arguments.of(params("q", "x", "k", "99999999999"), "invalid_k"),
        Arguments.of(params("q", "x", "offset", "-1"), "invalid_offset"),
        Arguments.of(params("q", "x", "offset", "1001"), "invalid_offset"),
        Arguments.of(params("q", "x", "offset", "ten"), "invalid_offset"),
        Arguments.of(params("q", "x", "mode", "foo"), "invalid_mode"),
        Arguments.of(params("q", "x", "mode", ""), "invalid_mode"),
        Arguments.of(params("q", "x", "fusion", "foo"), "invalid_fusion"),
        Arguments.of(params("q", "x", "weights", "text:-1"), "invalid_weights"),
        Arguments.of(params("q", "x", "weights", "bogus"), "invalid_weights"),
        Arguments.of(params("q", "x", "weights", ""), "invalid_weights"),
        Arguments.of(params("q", "x", "tags", "it's"), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "a\\b"), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "say \"hi\""), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "ok,<script>"), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "t".repeat(65)), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "a,,b"), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", "a,"), "invalid_tags"),
        Arguments.of(params("q", "x", "tags", twentyOneTags), "invalid_tags"),
        Arguments.of(params("q", "x", "explain", "maybe"), "invalid_explain"),
        Arguments.of(params("q", "x", "explain", "1"), "invalid_explain"),
        Arguments.of(params("q", "x", "explain", ""), "invalid_explain"),
        Arguments.of(params("q", "x", "correct", "no"), "invalid_correct"),
        Arguments.of(params("q", "x", "correct", ""), "invalid_correct"));
  }

  @ParameterizedTest
  @MethodSource("badRequests")
  void rejectsBadInputWithItsCode(Map<String, String> params, String code) {
    Throwable thrown = catchThrowable(() -> SearchQuery.fromParams(params::get, DEFAULTS));

    assertThat(thrown).isInstanceOf(BadRequestException.class);
    assertThat(((BadRequestException) thrown).code()).isEqualTo(code);
  }

  @Test
  void theConstructorEnforcesTheSameLimits() {
    assertThatThrownBy(
            () ->
                new SearchQuery(
                    "x", SearchMode.HYBRID, 0, 0, List.of(), FusionMethod.RRF, RRF_WEIGHTS, false, true))
        .isInstanceOf(BadRequestException.class);
    assertThatThrownBy(
            () ->
                new SearchQuery(
                    "x", SearchMode.HYBRID, 10, 0, List.of(" a"), FusionMethod.RRF, RRF_WEIGHTS, false, true))
        .isInstanceOf(BadRequestException.class);
    SearchQuery query =
        new SearchQuery(
            " x ", SearchMode.HYBRID, 10, 0, List.of("b", "a", "b"), FusionMethod.RRF, RRF_WEIGHTS, false, true);
    assertThat(query.q()).isEqualTo("x");
    assertThat(query.tags()).containsExactly("b", "a");
  }

  @Test
  void modeSingleNamesTheOnlyRetriever() {
    assertThat(SearchMode.HYBRID.single()).isEmpty();
    assertThat(SearchMode.TEXT.single()).contains(Retriever.TEXT);
    assertThat(SearchMode.KEYWORD.single()).contains(Retriever.KEYWORD);
    assertThat(SearchMode.VECTOR.single()).contains(Retriever.VECTOR);
  }

  @Test
  void retrieverWireNames() {
    assertThat(Retriever.KEYWORD.wireName()).isEqualTo("keyword");
    assertThat(Retriever.fromWire("Vector")).isEqualTo(Retriever.VECTOR);
    assertThatThrownBy(() -> Retriever.fromWire("bm25")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Retriever.fromWire(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cacheKeyIsPrefixedHexSha256() {
    assertThat(key("q", "foo")).matches("search:v3:[0-9a-f]{64}");
    assertThat(WindowQuery.cacheKeyPattern()).isEqualTo("search:v3:*");
    assertThat(key("q", "foo")).startsWith(WindowQuery.cacheKeyPattern().replace("*", ""));
  }

  @Test
  void cacheKeyIsStable() {
    assertThat(key("q", "foo")).isEqualTo(key("q", "foo"));
  }

  @Test
  void equivalentRequestsShareACacheKey() {
    String plain = key("q", "Foo  Bar");

    assertThat(key("q", "  foo bar  ")).isEqualTo(plain);
    assertThat(key("q", "FOO\tbar")).isEqualTo(plain);
    assertThat(
            key("q", "foo bar", "k", "10", "mode", "hybrid", "offset", "0", "fusion", "rrf",
                "explain", "false", "tags", " "))
        .isEqualTo(plain);
    assertThat(key("q", "foo bar", "mode", "HYBRID", "weights", "vector:1, keyword:1.0 ,text:1"))
        .isEqualTo(plain);
    assertThat(key("q", "foo bar", "fusion", "weighted"))
        .isEqualTo(key("q", "foo bar", "fusion", "weighted", "weights", "text:0.2,keyword:0.4,vector:0.4"));
  }

  @Test
  void everyPageWithinTheWindowSharesItsKeyWhateverItsSizeOffsetOrExplain() {
    String base = key("q", "foo");
    assertThat(key("q", "foo", "k", "11")).isEqualTo(base);
    assertThat(key("q", "foo", "k", "10", "offset", "90")).isEqualTo(base);
    assertThat(key("q", "foo", "k", "100")).isEqualTo(base);
    assertThat(key("q", "foo", "explain", "true")).isEqualTo(base);
    assertThat(key("q", "foo", "correct", "false")).as("the key is of the query searched, corrected or not").isEqualTo(base);
  }

  @Test
  void withQAndWithTagsChangeOnlyTheirPart() {
    SearchQuery query = parse("q", "shok wave", "mode", "keyword", "k", "7", "offset", "3", "tags", "a",
        "fusion", "weighted", "weights", "keyword:1", "explain", "true", "correct", "false");

    assertThat(query.withQ(" shock  wave ")).isEqualTo(new SearchQuery("shock wave", SearchMode.KEYWORD, 7, 3,
        List.of("a"), FusionMethod.WEIGHTED, Weights.parse("keyword:1"), true, false));
    assertThat(query.withTags(List.of("b", "b"))).isEqualTo(new SearchQuery("shok wave", SearchMode.KEYWORD, 7, 3,
        List.of("b"), FusionMethod.WEIGHTED, Weights.parse("keyword:1"), true, false));
  }

  @Test
  void deeperPagesUseAWindowDoubledUntilTheyFit() {
    assertThat(WindowQuery.sizeFor(100, 100)).isEqualTo(100);
    assertThat(WindowQuery.sizeFor(101, 100)).isEqualTo(200);
    assertThat(WindowQuery.sizeFor(401, 100)).isEqualTo(800);
    assertThat(WindowQuery.sizeFor(1100, 100)).isEqualTo(WindowQuery.MAX_SIZE);
    assertThat(parse("q", "foo", "offset", "1000", "k", "100").window(100).size()).isEqualTo(1100);
  }

  @Test
  void aWindowSurvivesTheRoundTripThroughItsJsonAndIsValidatedOnTheWayIn() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    WindowQuery window = parse("q", "Wing  flutter", "tags", "b,a", "fusion", "rrf").window(100);
    String text = json.writeValueAsString(window);
    assertThat(text).isEqualTo("{\"q\":\"Wing flutter\",\"mode\":\"hybrid\",\"tags\":[\"b\",\"a\"],\"fusion\":\"rrf\","
        + "\"weights\":\"text:1,keyword:1,vector:1\",\"size\":100}");
    assertThat(json.readValue(text, WindowQuery.class)).isEqualTo(window);
    assertThatThrownBy(() -> json.readValue(text.replace("Wing flutter", "\\u200b"), WindowQuery.class))
        .hasRootCauseInstanceOf(BadRequestException.class);
    assertThatThrownBy(() -> json.readValue(text.replace("100", "0"), WindowQuery.class))
        .hasRootCauseInstanceOf(BadRequestException.class);
  }

  @Test
  void tagOrderAndDuplicatesDoNotChangeTheCacheKey() {
    assertThat(key("q", "foo", "tags", "b,a")).isEqualTo(key("q", "foo", "tags", " a , b ,a"));
  }

  @Test
  void differentRequestsGetDifferentCacheKeys() {
    String base = key("q", "foo");

    assertThat(key("q", "foo", "offset", "95", "k", "10")).as("a page past the first window").isNotEqualTo(base);
    assertThat(key("q", "foo", "mode", "text")).isNotEqualTo(base);
    assertThat(key("q", "foo", "tags", "a")).isNotEqualTo(base);
    assertThat(key("q", "foo", "tags", "A")).isNotEqualTo(key("q", "foo", "tags", "a"));
    assertThat(key("q", "foo", "tags", "a,b")).isNotEqualTo(key("q", "foo", "tags", "a"));
    assertThat(key("q", "foo", "fusion", "weighted")).isNotEqualTo(base);
    assertThat(key("q", "foo", "weights", "text:2,keyword:1,vector:1")).isNotEqualTo(base);
    assertThat(key("q", "foobar")).isNotEqualTo(base);
    assertThat(key("q", "foo bar")).isNotEqualTo(key("q", "foobar"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0000", "\u200E", "\u202E", "\uFEFF", "\u200B\u200D", " \u00A0\u3000\t", "\u0301"})
  void aQueryWithNothingVisibleIsInvalid(String q) {
    assertThatThrownBy(() -> parse("q", q))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.code()).isEqualTo("invalid_query"));
  }

  @Test
  void theQueryIsCleanedOnceForEveryRetriever() {
    assertThat(parse("q", "\uFEFF Boundary\u0000layer\u200B  flow ").q()).isEqualTo("Boundary layer flow");
  }

  @Test
  void canonicalFormSpellsOutTheNormalisedRequest() {
    assertThat(form("q", " Foo   BAR ", "tags", "b,a"))
        .isEqualTo(
            "search:v3:\n"
                + "q=7:foo bar\n"
                + "mode=hybrid\n"
                + "tags=2|1:a|1:b\n"
                + "fusion=rrf\n"
                + "weights=text:1,keyword:1,vector:1\n"
                + "size=100\n");
  }
}
