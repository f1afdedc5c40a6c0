package dev.companionbrain.core.relevance;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The layouts {@link TestCollections} reads; see there for each one's files and relevance rule.
 * {@link #wireName()} is the name {@code brain eval --format} takes.
 */
public enum CollectionFormat {
  /** SMART in Cranfield's convention: {@code *.all}, {@code *.qry}, {@code *qrel*}. */
  SMART,
  /** CISI as distributed: {@code CISI.ALL}, {@code CISI.QRY}, {@code CISI.REL}. */
  CISI,
  /** MEDLINE as distributed: {@code MED.ALL}, {@code MED.QRY}, {@code MED.REL}. */
  MED,
  /** CACM as distributed: {@code cacm.all}, {@code query.text}, {@code qrels.text}. */
  CACM,
  /** TREC qrels with BEIR or SMART documents and BEIR or TREC topics. */
  TREC,
  /** BEIR: {@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/test.tsv}. */
  BEIR;

  /** The lower-case name, e.g. {@code "cisi"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The format named {@code name}, ignoring case.
   *
   * @throws IllegalArgumentException naming the known formats if there is none of that name
   */
  public static CollectionFormat parse(String name) {
    for (CollectionFormat format : values()) {
      if (format.wireName().equalsIgnoreCase(name.strip())) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        "unknown collection format '"
            + name
            + "': expected one of "
            + Arrays.stream(values())
                .map(CollectionFormat::wireName)
                .collect(Collectors.joining(", ")));
  }
}
