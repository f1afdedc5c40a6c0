package dev.companionbrain.core.document;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DocumentParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** JSON object from alternating field names and values (values serialised by Jackson, UTF-8). */
  private static byte[] json(Object... namesAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    try {
      return JSON.writeValueAsBytes(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Exactly representable floats, so the JSON round trip is exact. */
  private static float[] vector(int dimensions) {
    float[] v = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      v[i] = (i - 192) / 64f;
    }
    return v;
  }

  private static List<Object> vectorJson(int dimensions) {
    List<Object> list = new ArrayList<>(dimensions);
    for (float f : vector(dimensions)) {
      list.add(f);
    }
    return list;
  }

  private static DocumentChange valid(ParseResult result) {
    assertThat(result).isInstanceOf(ParseResult.Valid.class);
    return ((ParseResult.Valid) result).change();
  }

  private static void assertRejected(ParseResult result, RejectReason reason) {
    assertThat(result).isInstanceOf(ParseResult.Rejected.class);
    ParseResult.Rejected rejected = (ParseResult.Rejected) result;
    assertThat(rejected.reason()).isEqualTo(reason);
    assertThat(rejected.message()).isNotBlank();
  }

  @Nested
  class Accepted {
    @Test
    void upsertKeepsAllFieldsAndNormalisesUpdatedAt() {
      byte[] value = json(
          "op", "upsert",
          "id", "doc-1",
          "title", "Flink state",
          "body", "Keyed state survives restarts.",
          "tags", List.of("flink", "state"),
          "url", "https://example.org/doc-1",
          "updated_at", "2024-05-01T12:30:00+02:00",
          "vector", vectorJson(DocumentParser.DIMENSIONS));

      DocumentChange change = valid(DocumentParser.parse(utf8("doc-1"), value));

      assertThat(change.op()).isEqualTo(DocumentChange.Op.UPSERT);
      assertThat(change.id()).isEqualTo("doc-1");
      Document d = change.document();
      assertThat(d.id()).isEqualTo("doc-1");
      assertThat(d.title()).isEqualTo("Flink state");
      assertThat(d.body()).isEqualTo("Keyed state survives restarts.");
      assertThat(d.tags()).containsExactly("flink", "state");
      assertThat(d.url()).isEqualTo("https://example.org/doc-1");
      assertThat(d.updatedAt()).isEqualTo("2024-05-01T10:30:00Z");
      float[] unit = vector(DocumentParser.DIMENSIONS);
      DocumentParser.normalize(unit);
      assertThat(change.vector()).as("the producer's vector, scaled to unit length").hasSize(DocumentParser.DIMENSIONS)
          .containsExactly(unit);
    }

    @Test
    void updatedAtInUtcStaysAnInstantString() {
      DocumentChange change = valid(DocumentParser.parse(null,
          json("id", "doc-1", "title", "t", "updated_at", "2024-05-01T10:30:00.500Z")));

      assertThat(change.document().updatedAt()).isEqualTo("2024-05-01T10:30:00.500Z");
    }

    @Test
    void optionalFieldsMayBeAbsent() {
      DocumentChange change = valid(DocumentParser.parse(null, json("id", "doc-1", "body", "only a body")));

      Document d = change.document();
      assertThat(d.title()).isEmpty();
      assertThat(d.body()).isEqualTo("only a body");
      assertThat(d.tags()).isEmpty();
      assertThat(d.url()).isNull();
      assertThat(d.updatedAt()).isNull();
      assertThat(change.vector()).isNull();
    }

    @Test
    void explicitNullsAreLikeAbsentFields() {
      DocumentChange change = valid(DocumentParser.parse(null, json(
          "op", null, "id", "doc-1", "title", "t", "body", null, "tags", null, "url", null,
          "updated_at", null, "vector", null)));

      assertThat(change.op()).isEqualTo(DocumentChange.Op.UPSERT);
      assertThat(change.document().tags()).isEmpty();
      assertThat(change.vector()).isNull();
    }

    @Test
    void missingOpMeansUpsert() {
      DocumentChange change = valid(DocumentParser.parse(null, json("id", "doc-1", "title", "Hello")));

      assertThat(change.op()).isEqualTo(DocumentChange.Op.UPSERT);
      assertThat(change.document().title()).isEqualTo("Hello");
    }

    @Test
    void delete() {
      DocumentChange change = valid(DocumentParser.parse(utf8("doc-1"), json("op", "delete", "id", "doc-1")));

      assertThat(change.op()).isEqualTo(DocumentChange.Op.DELETE);
      assertThat(change.id()).isEqualTo("doc-1");
      assertThat(change.document()).isNull();
      assertThat(change.vector()).isNull();
    }

    @Test
    void keyEqualToIdOrEmptyKeyIsAccepted() {
      assertThat(DocumentParser.parse(utf8("doc-1"), json("id", "doc-1", "title", "t")))
          .isInstanceOf(ParseResult.Valid.class);
      assertThat(DocumentParser.parse(new byte[0], json("id", "doc-1", "title", "t")))
          .isInstanceOf(ParseResult.Valid.class);
      assertThat(DocumentParser.parse(null, json("id", "doc-1", "title", "t")))
          .isInstanceOf(ParseResult.Valid.class);
    }

    @Test
    void idOfLettersDigitsHyphenAndUnderscore() {
      DocumentChange change = valid(DocumentParser.parse(null, json("id", "Doc_1-a9Z", "title", "t")));

      assertThat(change.id()).isEqualTo("Doc_1-a9Z");
    }

    @Test
    void idOf511BytesIsValid() {
      String id = "a".repeat(DocumentIds.MAX_BYTES);
      assertThat(id.getBytes(StandardCharsets.UTF_8)).hasSize(511);

      DocumentChange change = valid(DocumentParser.parse(null, json("id", id, "title", "t")));

      assertThat(change.id()).isEqualTo(id);
    }
  }

  @Nested
  class Rejections {
    @Test
    void malformedJson() {
      assertRejected(DocumentParser.parse(null, utf8("{\"id\": \"doc-1\", ")), RejectReason.MALFORMED_JSON);
      assertRejected(DocumentParser.parse(null, utf8("not json at all")), RejectReason.MALFORMED_JSON);
    }

    @Test
    void jsonThatIsNotAnObjectIsMalformed() {
      assertRejected(DocumentParser.parse(null, utf8("[{\"id\":\"doc-1\",\"title\":\"t\"}]")), RejectReason.MALFORMED_JSON);
      assertRejected(DocumentParser.parse(null, utf8("\"doc-1\"")), RejectReason.MALFORMED_JSON);
      assertRejected(DocumentParser.parse(null, utf8("null")), RejectReason.MALFORMED_JSON);
      assertRejected(DocumentParser.parse(null, utf8("42")), RejectReason.MALFORMED_JSON);
    }

    @Test
    void anEmptyValueIsMalformed() {
      assertRejected(DocumentParser.parse(utf8("doc-1"), new byte[0]), RejectReason.MALFORMED_JSON);
    }

    @Test
    void aTombstoneDeletesTheDocumentItsKeyNames() {
      assertThat(valid(DocumentParser.parse(utf8("doc-1"), null))).isEqualTo(DocumentChange.delete("doc-1"));
    }

    @Test
    void aTombstoneWithoutAKeyOrWithAKeyThatIsNoIdIsRefused() {
      assertRejected(DocumentParser.parse(null, null), RejectReason.MISSING_ID);
      assertRejected(DocumentParser.parse(new byte[0], null), RejectReason.MISSING_ID);
      assertRejected(DocumentParser.parse(utf8("doc 1"), null), RejectReason.INVALID_ID);
      assertThat(((ParseResult.Rejected) DocumentParser.parse(null, null)).message()).contains("tombstone");
    }

    @Test
    void missingId() {
      assertRejected(DocumentParser.parse(null, json("title", "t")), RejectReason.MISSING_ID);
      assertRejected(DocumentParser.parse(null, json("id", null, "title", "t")), RejectReason.MISSING_ID);
      assertRejected(DocumentParser.parse(null, json("id", "", "title", "t")), RejectReason.MISSING_ID);
      assertRejected(DocumentParser.parse(null, json("op", "delete")), RejectReason.MISSING_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {"doc 1", "doc.1", "café", "doc/1", "doc:1", " doc", "日本"})
    void invalidId(String id) {
      assertRejected(DocumentParser.parse(null, json("id", id, "title", "t")), RejectReason.INVALID_ID);
    }

    @Test
    void idOf512BytesIsInvalid() {
      String id = "a".repeat(DocumentIds.MAX_BYTES + 1);

      assertRejected(DocumentParser.parse(null, json("id", id, "title", "t")), RejectReason.INVALID_ID);
    }

    @Test
    void invalidIdAlsoForDeletes() {
      assertRejected(DocumentParser.parse(null, json("op", "delete", "id", "a b")), RejectReason.INVALID_ID);
    }

    @Test
    void keyMismatch() {
      assertRejected(DocumentParser.parse(utf8("doc-2"), json("id", "doc-1", "title", "t")), RejectReason.KEY_MISMATCH);
      assertRejected(DocumentParser.parse(utf8("doc-2"), json("op", "delete", "id", "doc-1")), RejectReason.KEY_MISMATCH);
    }

    @Test
    void idOfWrongType() {
      assertRejected(DocumentParser.parse(null, json("id", 42, "title", "t")), RejectReason.WRONG_TYPE);
      assertRejected(DocumentParser.parse(null, json("id", List.of("doc-1"), "title", "t")), RejectReason.WRONG_TYPE);
    }

    @Test
    void titleNotAString() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", 7, "body", "b")), RejectReason.WRONG_TYPE);
    }

    @Test
    void bodyOrUrlNotAString() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "body", Map.of("x", 1))),
          RejectReason.WRONG_TYPE);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "url", true)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void tagsNotAnArray() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", "flink")),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void tagNotAString() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", List.of("ok", 3))),
          RejectReason.WRONG_TYPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2024-05-01", "2024-05-01T10:30:00", "01/05/2024 10:30"})
    void updatedAtNotIsoWithOffset(String updatedAt) {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "updated_at", updatedAt)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void updatedAtNotAString() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "updated_at", 1714559400000L)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void vectorElementNotANumber() {
      List<Object> vector = vectorJson(DocumentParser.DIMENSIONS);
      vector.set(100, "0.5");

      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "vector", vector)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void vectorElementNull() {
      List<Object> vector = vectorJson(DocumentParser.DIMENSIONS);
      vector.set(0, null);

      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "vector", vector)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void vectorNotAnArray() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "vector", "0.1,0.2")),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void opNotAString() {
      assertRejected(DocumentParser.parse(null, json("op", 1, "id", "doc-1", "title", "t")), RejectReason.WRONG_TYPE);
    }

    @Test
    void emptyDocument() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1")), RejectReason.EMPTY_DOCUMENT);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "", "body", "")),
          RejectReason.EMPTY_DOCUMENT);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "   ", "body", "\n\t ")),
          RejectReason.EMPTY_DOCUMENT);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "tags", List.of("a"), "url", "https://x")),
          RejectReason.EMPTY_DOCUMENT);
    }

    /** A text of only invisible characters left the embedder no token, and it threw inside the job. */
    @Test
    void nothingVisibleIsAnEmptyDocument() {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "\u200E\uFEFF", "body", "\u0000\u200B")),
          RejectReason.EMPTY_DOCUMENT);
    }

    @Test
    void titleAloneOrBodyAloneIsEnough() {
      assertThat(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "body", " ")))
          .isInstanceOf(ParseResult.Valid.class);
      assertThat(DocumentParser.parse(null, json("id", "doc-1", "title", " ", "body", "b")))
          .isInstanceOf(ParseResult.Valid.class);
    }

    @Test
    void bodyOfExactlyMaxBytesIsAccepted() {
      String body = "a".repeat(DocumentParser.MAX_BODY_BYTES);

      DocumentChange change = valid(DocumentParser.parse(null, json("id", "doc-1", "body", body)));

      assertThat(change.document().body()).hasSize(DocumentParser.MAX_BODY_BYTES);
    }

    @Test
    void bodyOneByteOverMaxIsTooLarge() {
      String body = "a".repeat(DocumentParser.MAX_BODY_BYTES + 1);

      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "body", body)), RejectReason.BODY_TOO_LARGE);
    }

    @Test
    void bodySizeCountsUtf8BytesNotChars() {
      // "€" is 3 bytes of UTF-8: 33 333 of them are 99 999 bytes but only 33 333 chars.
      String euros = "€".repeat(33_333);
      assertThat(euros.getBytes(StandardCharsets.UTF_8)).hasSize(99_999);

      ParseResult exact = DocumentParser.parse(null, json("id", "doc-1", "body", euros + "a"));
      ParseResult over = DocumentParser.parse(null, json("id", "doc-1", "body", euros + "ab"));

      assertThat(exact).isInstanceOf(ParseResult.Valid.class);
      assertRejected(over, RejectReason.BODY_TOO_LARGE);
    }

    @Test
    void bodySizeCountsTwoByteCharacters() {
      // 50 000 × "é" (2 bytes) = 100 000 bytes: fine; one more "é" makes 100 002 bytes with only 50 001 chars.
      assertThat(DocumentParser.parse(null, json("id", "doc-1", "body", "é".repeat(50_000))))
          .isInstanceOf(ParseResult.Valid.class);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "body", "é".repeat(50_001))),
          RejectReason.BODY_TOO_LARGE);
    }

    @Test
    void tagsAndUrlUpToTheirLimitsAreAccepted() {
      List<String> tags = new java.util.ArrayList<>();
      for (int i = 0; i < DocumentParser.MAX_TAGS - 1; i++) {
        tags.add("t" + i);
      }
      tags.add("é".repeat(DocumentParser.MAX_TAG_BYTES / 2));
      String url = "https://example.org/" + "a".repeat(DocumentParser.MAX_URL_BYTES - 20);

      DocumentChange change = valid(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", tags, "url", url)));

      assertThat(change.document().tags()).hasSize(DocumentParser.MAX_TAGS);
      assertThat(change.document().url()).hasSize(DocumentParser.MAX_URL_BYTES);
    }

    @Test
    void aTagOverItsLimitIsTooLarge() {
      // 129 × "é" = 258 bytes of UTF-8 in 129 chars; a 40,000-byte tag would fail every Elasticsearch bulk
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", List.of("ok", "é".repeat(129)))),
          RejectReason.FIELD_TOO_LARGE);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", List.of("t".repeat(40_000)))),
          RejectReason.FIELD_TOO_LARGE);
    }

    @Test
    void tooManyTagsIsTooLarge() {
      List<String> tags = new java.util.ArrayList<>();
      for (int i = 0; i <= DocumentParser.MAX_TAGS; i++) {
        tags.add("t" + i);
      }
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "tags", tags)), RejectReason.FIELD_TOO_LARGE);
    }

    @Test
    void aUrlOverItsLimitIsTooLarge() {
      String url = "https://example.org/" + "a".repeat(DocumentParser.MAX_URL_BYTES - 19);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "url", url)), RejectReason.FIELD_TOO_LARGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"+10000-01-01T00:00:00Z", "-0001-12-31T00:00:00Z"})
    void updatedAtOutsideFourDigitYearsIsRefused(String updatedAt) {
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "updated_at", updatedAt)),
          RejectReason.WRONG_TYPE);
    }

    @Test
    void updatedAtAtTheEdgesOfFourDigitYearsIsAccepted() {
      assertThat(valid(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "updated_at", "9999-12-31T23:59:59Z")))
          .document().updatedAt()).isEqualTo("9999-12-31T23:59:59Z");
      assertThat(valid(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "updated_at", "0000-01-01T00:00:00Z")))
          .document().updatedAt()).isEqualTo("0000-01-01T00:00:00Z");
    }

    @Test
    void suppliedVectorsAreScaledToUnitLengthWhateverTheirMagnitude() {
      for (double value : new double[] {3e38, 1e-40, 0.5}) {
        List<Double> v = new java.util.ArrayList<>(java.util.Collections.nCopies(DocumentParser.DIMENSIONS, 0.0));
        v.set(0, value);
        v.set(1, -value);
        DocumentChange change = valid(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "vector", v)));
        float[] stored = change.vector();
        double norm = 0;
        for (float f : stored) {
          assertThat(Float.isFinite(f)).isTrue();
          norm += f * f;
        }
        assertThat(norm).as("squared norm for %s", value).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        assertThat(stored[0]).isCloseTo((float) Math.sqrt(0.5), org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(stored[1]).isCloseTo((float) -Math.sqrt(0.5), org.assertj.core.api.Assertions.within(1e-6f));
      }
    }

    @Test
    void wrongVectorDimension() {
      assertRejected(DocumentParser.parse(null,
          json("id", "doc-1", "title", "t", "vector", vectorJson(DocumentParser.DIMENSIONS - 1))),
          RejectReason.WRONG_VECTOR_DIMENSION);
      assertRejected(DocumentParser.parse(null,
          json("id", "doc-1", "title", "t", "vector", vectorJson(DocumentParser.DIMENSIONS + 1))),
          RejectReason.WRONG_VECTOR_DIMENSION);
      assertRejected(DocumentParser.parse(null, json("id", "doc-1", "title", "t", "vector", List.of())),
          RejectReason.WRONG_VECTOR_DIMENSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"patch", "insert", ""})
    void unknownOp(String op) {
      assertRejected(DocumentParser.parse(null, json("op", op, "id", "doc-1", "title", "t")), RejectReason.UNKNOWN_OP);
    }
  }

  @Test
  void wireNamesAreLowerCase() {
    assertThat(RejectReason.MALFORMED_JSON.wireName()).isEqualTo("malformed_json");
    assertThat(RejectReason.WRONG_VECTOR_DIMENSION.wireName()).isEqualTo("wrong_vector_dimension");
  }

  @Nested
  class DocumentText {
    @Test
    void embeddingTextJoinsTitleAndBody() {
      assertThat(new Document("d", "Title", "Body text", null, null, null).embeddingText()).isEqualTo("Title. Body text");
      assertThat(new Document("d", "Title", "", null, null, null).embeddingText()).isEqualTo("Title");
      assertThat(new Document("d", null, "Body text", null, null, null).embeddingText()).isEqualTo("Body text");
      assertThat(new Document("d", null, null, null, null, null).embeddingText()).isEmpty();
    }

    @Test
    void nullTagsBecomeEmptyAndTagsAreCopied() {
      List<String> tags = new ArrayList<>(List.of("a"));
      Document d = new Document("d", "t", "b", tags, null, null);
      tags.add("b");

      assertThat(d.tags()).containsExactly("a");
      assertThat(new Document("d", "t", "b", null, null, null).tags()).isEmpty();
    }

    @Test
    void shortBodyIsItsOwnSnippet() {
      Document d = new Document("d", "t", "short body", null, null, null);

      assertThat(d.snippet(240)).isEqualTo("short body");
      assertThat(d.snippet(10)).isEqualTo("short body");
    }

    @Test
    void snippetCutsAtAWordBoundary() {
      Document d = new Document("d", "t", "alpha beta gamma delta", null, null, null);

      assertThat(d.snippet(12)).isEqualTo("alpha beta…");
    }

    @Test
    void snippetCutsHardWhenThereIsNoLateSpace() {
      assertThat(new Document("d", "t", "abcdefghijklmnop", null, null, null).snippet(5)).isEqualTo("abcde…");
      // the only space is before half of maxChars: cutting there would lose too much
      assertThat(new Document("d", "t", "a bcdefghijklmn", null, null, null).snippet(10)).isEqualTo("a bcdefghi…");
    }

    @Test
    void snippetIsNeverMuchLongerThanMaxChars() {
      Document d = new Document("d", "t", "word ".repeat(1000), null, null, null);

      String snippet = d.snippet(240);

      assertThat(snippet).endsWith("…").hasSizeLessThanOrEqualTo(241);
      assertThat(snippet.length()).isGreaterThan(120);
    }
  }
}
