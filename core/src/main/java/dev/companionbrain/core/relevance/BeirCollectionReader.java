package dev.companionbrain.core.relevance;

import static dev.companionbrain.core.relevance.CollectionFiles.where;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.document.DocumentIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads BEIR's JSON-lines files, see {@link TestCollections}: {@code corpus.jsonl} (one JSON object
 * a line with {@code _id}, optional {@code title}, {@code text}) and {@code queries.jsonl} ({@code
 * _id}, {@code text}); its qrels are read by {@link JudgementLines#BEIR}.
 *
 * <p>Document ids are mapped by {@link CollectionText#toIdChars(String)} in the corpus and in the
 * qrels alike; two corpus ids that map to the same id are an error. Query ids are kept as written.
 */
final class BeirCollectionReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Corpus and judgement document ids, mapped alike. */
  static final JudgementLines.Ids DOCUMENT_IDS = BeirCollectionReader::documentIdOf;

  private BeirCollectionReader() {}

  /** The documents of a {@code corpus.jsonl}. */
  static List<CollectionDocument> documents(Path corpusFile) {
    List<CollectionDocument> documents = new ArrayList<>();
    Map<String, String> originalIds = new HashMap<>();
    forEachObject(
        corpusFile,
        (object, lineNumber) -> {
          String rawId = requiredText(object, "_id", corpusFile, lineNumber);
          String id = DOCUMENT_IDS.id(rawId, corpusFile, lineNumber);
          String previous = originalIds.putIfAbsent(id, rawId);
          if (previous != null) {
            throw new IllegalArgumentException(
                where(corpusFile, lineNumber)
                    + (previous.equals(rawId)
                        ? ": duplicate document id '" + rawId + "'"
                        : ": document ids '" + previous + "' and '" + rawId + "' both become '"
                            + id + "'"));
          }
          documents.add(
              new CollectionDocument(
                  id,
                  CollectionText.normalizeSpace(optionalText(object, "title")),
                  CollectionText.normalizeSpace(optionalText(object, "text"))));
        });
    return documents;
  }

  /** The queries of a {@code queries.jsonl}, ids as written. */
  static List<CollectionQuery> queries(Path queriesFile) {
    List<CollectionQuery> queries = new ArrayList<>();
    forEachObject(
        queriesFile,
        (object, lineNumber) ->
            queries.add(
                new CollectionQuery(
                    requiredText(object, "_id", queriesFile, lineNumber),
                    CollectionText.normalizeSpace(optionalText(object, "text")))));
    return queries;
  }

  private static String documentIdOf(String rawId, Path file, int lineNumber) {
    String id = CollectionText.toIdChars(rawId);
    if (!DocumentIds.isValid(id)) {
      throw new IllegalArgumentException(
          where(file, lineNumber) + ": document id '" + rawId + "' is empty or longer than "
              + DocumentIds.MAX_BYTES + " characters");
    }
    return id;
  }

  private static void forEachObject(Path file, BiConsumer<JsonNode, Integer> action) {
    CollectionFiles.forEachLine(
        file,
        (line, lineNumber) -> {
          JsonNode object;
          try {
            object = JSON.readTree(line);
          } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                where(file, lineNumber) + ": not a JSON object: " + e.getOriginalMessage(), e);
          }
          if (object == null || !object.isObject()) {
            throw new IllegalArgumentException(where(file, lineNumber) + ": not a JSON object");
          }
          action.accept(object, lineNumber);
        });
  }

  private static String requiredText(JsonNode object, String field, Path file, int lineNumber) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull() || !value.isValueNode() || value.asText().isEmpty()) {
      throw new IllegalArgumentException(
          where(file, lineNumber) + ": missing or empty '" + field + "'");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }
}
