package dev.companionbrain.core.relevance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a TREC topics file (the SGML-like form of TREC 1-8, e.g. {@code topics.401-450}): topics
 * between {@code <top>} and {@code </top>}, each with {@code <num> Number: 401} and {@code <title>
 * ...}. A query's id is its number as written, its text the title (which may run over several lines
 * up to the next tag; a leading {@code Topic:} is dropped). {@code <desc>} and {@code <narr>} are
 * dropped.
 */
final class TrecTopicsReader {
  private static final Pattern TAG =
      Pattern.compile("<(/?[a-z]+)>\\s*(.*)", Pattern.CASE_INSENSITIVE);
  private static final Pattern NUMBER =
      Pattern.compile("(?:number:)?\\s*(\\S+)", Pattern.CASE_INSENSITIVE);
  private static final Pattern TOPIC_LABEL =
      Pattern.compile("^topic:\\s*", Pattern.CASE_INSENSITIVE);

  private TrecTopicsReader() {}

  /** The topic being read: its number, title and whether the title is still open. */
  private static final class Topic {
    String number;
    final StringBuilder title = new StringBuilder();
    boolean inTitle;
  }

  static List<CollectionQuery> queries(Path file) {
    List<CollectionQuery> queries = new ArrayList<>();
    Topic[] open = new Topic[1];
    CollectionFiles.forEachLine(
        file,
        (line, lineNumber) -> {
          Matcher tag = TAG.matcher(line.strip());
          if (!tag.matches()) {
            if (open[0] != null && open[0].inTitle) {
              open[0].title.append(' ').append(line);
            }
            return;
          }
          String name = tag.group(1).toLowerCase(Locale.ROOT);
          String rest = tag.group(2);
          if (name.equals("top")) {
            open[0] = new Topic();
            return;
          }
          Topic topic = open[0];
          if (topic == null) {
            throw new IllegalArgumentException(
                CollectionFiles.where(file, lineNumber)
                    + ": <"
                    + name
                    + "> outside <top> ... </top>");
          }
          topic.inTitle = name.equals("title");
          if (name.equals("num")) {
            Matcher number = NUMBER.matcher(rest);
            topic.number = number.matches() ? number.group(1) : null;
          } else if (topic.inTitle) {
            topic.title.append(rest);
          } else if (name.equals("/top")) {
            if (topic.number == null) {
              throw new IllegalArgumentException(
                  CollectionFiles.where(file, lineNumber) + ": topic without '<num> Number: ...'");
            }
            String title = CollectionText.normalizeSpace(topic.title.toString());
            queries.add(
                new CollectionQuery(topic.number, TOPIC_LABEL.matcher(title).replaceFirst("")));
            open[0] = null;
          }
        });
    return queries;
  }
}
