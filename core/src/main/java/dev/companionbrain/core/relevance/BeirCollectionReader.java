package dev.companionbrain.core.relevance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.document.DocumentIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Reads a collection in the BEIR layout, see {@link TestCollections}: {@code corpus.jsonl} (one
 * JSON object a line with {@code _id}, optional {@code title}, {@code text}), {@code queries.jsonl}
 * ({@code _id}, {@code text}) and {@code qrels/test.tsv} (tab-separated {@code query-id corpus-id
 * score}, with or without that header line).
 *
 * <p>Document ids are mapped by {@link CollectionText#toIdChars(String)} in the corpus and in the
 * qrels alike; two corpus ids that map to the same id are an error. Query ids are kept as written.
 */
final class BeirCollectionReader {
  static final String CORPUS = "corpus.jsonl";
  static final String QUERIES = "queries.jsonl";
  static final String QRELS = "qrels/test.tsv";

  private static final ObjectMapper JSON = new ObjectMapper();

  private BeirCollectionReader() {}

  static TestCollection read(String name, Path dir) {
    Path corpusFile = dir.resolve(CORPUS);
    List<CollectionDocument> documents = new ArrayList<>();
    Map<String, String> originalIds = new HashMap<>();
    forEachObject(
        corpusFile,
        (object, lineNumber) -> {
          String rawId = requiredText(object, "_id", corpusFile, lineNumber);
          String id = documentId(rawId, corpusFile, lineNumber);
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

    Path queriesFile = dir.resolve(QUERIES);
    List<CollectionQuery> queries = new ArrayList<>();
    forEachObject(
        queriesFile,
        (object, lineNumber) ->
            queries.add(
                new CollectionQuery(
                    requiredText(object, "_id", queriesFile, lineNumber),
                    CollectionText.normalizeSpace(optionalText(object, "text")))));

    return new TestCollection(name, documents, queries, qrels(dir.resolve(QRELS)));
  }

  private static Map<String, Map<String, Integer>> qrels(Path file) {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    forEachLine(
        file,
        (line, lineNumber) -> {
          String[] columns = line.strip().split(line.indexOf('\t') >= 0 ? "\t" : "\\s+");
          if (columns.length < 3) {
            throw new IllegalArgumentException(
                where(file, lineNumber) + ": expected 'query-id<TAB>corpus-id<TAB>score', got '"
                    + line.strip() + "'");
          }
          if (qrels.isEmpty() && columns[0].strip().equalsIgnoreCase("query-id")) {
            return; // the header line
          }
          String queryId = columns[0].strip();
          String documentId = documentId(columns[1].strip(), file, lineNumber);
          int score;
          try {
            score = Integer.parseInt(columns[2].strip());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                where(file, lineNumber) + ": score '" + columns[2].strip() + "' is not an integer", e);
          }
          qrels.computeIfAbsent(queryId, id -> new LinkedHashMap<>()).put(documentId, score);
        });
    return qrels;
  }

  private static String documentId(String rawId, Path file, int lineNumber) {
    String id = CollectionText.toIdChars(rawId);
    if (!DocumentIds.isValid(id)) {
      throw new IllegalArgumentException(
          where(file, lineNumber) + ": document id '" + rawId + "' is empty or longer than "
              + DocumentIds.MAX_BYTES + " characters");
    }
    return id;
  }

  private static void forEachObject(Path file, BiConsumer<JsonNode, Integer> action) {
    forEachLine(
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

  /**
   * Streams the non-blank lines of a UTF-8 file with their 1-based line numbers, without a leading
   * byte order mark.
   */
  private static void forEachLine(Path file, BiConsumer<String, Integer> action) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        String text = lineNumber == 1 && line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (!text.isBlank()) {
          action.accept(text, lineNumber);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static String requiredText(JsonNode object, String field, Path file, int lineNumber) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull() || !value.isValueNode() || value.asText().isEmpty()) {
      throw new IllegalArgumentException(where(file, lineNumber) + ": missing or empty '" + field + "'");
    }
    return value.asText();
  }

  private static String optionalText(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value == null || value.isNull() ? "" : value.asText();
  }

  private static String where(Path file, int lineNumber) {
    return file + ":" + lineNumber;
  }
}
