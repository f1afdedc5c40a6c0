package dev.companionbrain.core.relevance;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Deterministic misspellings of queries, to measure how search copes with typos.
 *
 * <p>The query is split on whitespace. Every word made only of letters and at least {@value
 * #MIN_EDITED_LENGTH} characters long gets exactly one edit, never touching its first letter; other
 * words (shorter ones, numbers, words with punctuation such as {@code "high-speed"} or {@code
 * "flow."}) are kept. The edit is chosen by a {@link Random} seeded from the seed, the word's
 * index in the query and the word itself, with equal chances among:
 *
 * <ul>
 *   <li>swap two adjacent letters, neither of them the first, that differ (a word without such a
 *       pair gets a replacement instead);
 *   <li>drop one letter other than the first;
 *   <li>replace one letter other than the first with a lowercase ASCII letter different from its
 *       lowercase form.
 * </ul>
 *
 * <p>So every edited word is at Damerau-Levenshtein distance exactly 1 from the original, and the
 * same query and seed always give the same result (across JVMs: {@link Random} and {@link
 * String#hashCode()} are specified). The words are joined with single spaces.
 */
public final class TypoQueries {
  /** The shortest word that gets an edit. */
  public static final int MIN_EDITED_LENGTH = 5;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private TypoQueries() {}

  /**
   * The query with one typo in each long enough word, see the class comment.
   *
   * @throws NullPointerException if {@code query} is null
   */
  public static String typo(String query, long seed) {
    Objects.requireNonNull(query, "query");
    String stripped = query.strip();
    if (stripped.isEmpty()) {
      return "";
    }
    String[] words = WHITESPACE.split(stripped);
    List<String> result = new ArrayList<>(words.length);
    for (int index = 0; index < words.length; index++) {
      String word = words[index];
      result.add(isEditable(word) ? edit(word, random(seed, index, word)) : word);
    }
    return String.join(" ", result);
  }

  private static boolean isEditable(String word) {
    return word.length() >= MIN_EDITED_LENGTH && word.chars().allMatch(Character::isLetter);
  }

  private static Random random(long seed, int index, String word) {
    long mixed = seed;
    mixed = mixed * 0x9E3779B97F4A7C15L + index;
    mixed = mixed * 0x9E3779B97F4A7C15L + word.hashCode();
    return new Random(mixed);
  }

  private static String edit(String word, Random random) {
    StringBuilder edited = new StringBuilder(word);
    switch (random.nextInt(3)) {
      case 0 -> {
        List<Integer> swappable = new ArrayList<>();
        for (int i = 1; i + 1 < word.length(); i++) {
          if (word.charAt(i) != word.charAt(i + 1)) {
            swappable.add(i);
          }
        }
        if (swappable.isEmpty()) {
          replace(edited, random);
        } else {
          int i = swappable.get(random.nextInt(swappable.size()));
          edited.setCharAt(i, word.charAt(i + 1));
          edited.setCharAt(i + 1, word.charAt(i));
        }
      }
      case 1 -> edited.deleteCharAt(1 + random.nextInt(word.length() - 1));
      default -> replace(edited, random);
    }
    return edited.toString();
  }

  /** Replaces one letter other than the first with a different lowercase ASCII letter. */
  private static void replace(StringBuilder word, Random random) {
    int position = 1 + random.nextInt(word.length() - 1);
    char original = Character.toLowerCase(word.charAt(position));
    char replacement;
    if (original >= 'a' && original <= 'z') {
      replacement = (char) ('a' + random.nextInt(25));
      if (replacement >= original) {
        replacement++;
      }
    } else {
      replacement = (char) ('a' + random.nextInt(26));
    }
    word.setCharAt(position, replacement);
  }
}
