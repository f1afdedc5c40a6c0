package dev.companionbrain.core.relevance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TypoQueriesTest {
  private static final String QUERY =
      "what similarity laws must be obeyed when constructing aeroelastic models of heated high-speed"
          + " aircraft .";

  @Test
  void theSameSeedGivesTheSameTypos() {
    for (long seed = 0; seed < 20; seed++) {
      assertThat(TypoQueries.typo(QUERY, seed)).isEqualTo(TypoQueries.typo(QUERY, seed));
    }
  }

  @Test
  void differentSeedsGiveDifferentTypos() {
    Set<String> variants = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      variants.add(TypoQueries.typo(QUERY, seed));
    }

    assertThat(variants).hasSizeGreaterThan(10).doesNotContain(QUERY);
  }

  @Test
  void everyLongLettersOnlyWordIsOneEditAwayWithItsFirstLetterKept() {
    String[] original = QUERY.split(" ");
    for (long seed = 0; seed < 200; seed++) {
      String[] typoed = TypoQueries.typo(QUERY, seed).split(" ");

      assertThat(typoed).hasSameSizeAs(original);
      for (int i = 0; i < original.length; i++) {
        String word = original[i];
        boolean edited = word.length() >= 5 && word.chars().allMatch(Character::isLetter);
        if (edited) {
          assertThat(damerauLevenshtein(word, typoed[i]))
              .as("seed %d, '%s' -> '%s'", seed, word, typoed[i])
              .isEqualTo(1);
          assertThat(typoed[i].charAt(0)).isEqualTo(word.charAt(0));
        } else {
          assertThat(typoed[i]).as("seed %d", seed).isEqualTo(word);
        }
      }
    }
  }

  @Test
  void shortWordsAndWordsWithPunctuationAreKept() {
    String query = "what is the flow of a jet ? high-speed flows. mach 5 12345";

    assertThat(TypoQueries.typo(query, 7)).isEqualTo(query);
  }

  @Test
  void whitespaceIsNormalised() {
    assertThat(TypoQueries.typo("  what\tis \n the   flow  ", 3)).isEqualTo("what is the flow");
    assertThat(TypoQueries.typo(" \t ", 3)).isEmpty();
  }

  @Test
  void allThreeKindsOfEditOccur() {
    String word = "aerodynamics";
    boolean swapped = false;
    boolean dropped = false;
    boolean replaced = false;
    for (long seed = 0; seed < 200; seed++) {
      String typo = TypoQueries.typo(word, seed);
      if (typo.length() == word.length() - 1) {
        dropped = true;
      } else if (typo.length() == word.length() && sorted(typo).equals(sorted(word))) {
        swapped = true;
      } else if (typo.length() == word.length()) {
        replaced = true;
      }
    }

    assertThat(dropped).as("a letter dropped").isTrue();
    assertThat(swapped).as("two letters swapped").isTrue();
    assertThat(replaced).as("a letter replaced").isTrue();
  }

  @Test
  void wordsWithoutASwappablePairStillGetOneEdit() {
    for (long seed = 0; seed < 50; seed++) {
      String typo = TypoQueries.typo("aaaaaa", seed);

      assertThat(damerauLevenshtein("aaaaaa", typo)).isEqualTo(1);
    }
  }

  @Test
  void capitalisedWordsKeepTheirFirstLetterAndReplacementsDifferIgnoringCase() {
    for (long seed = 0; seed < 100; seed++) {
      String typo = TypoQueries.typo("Aerodynamics", seed);

      assertThat(typo).startsWith("A");
      assertThat(damerauLevenshtein("aerodynamics", typo.toLowerCase())).isEqualTo(1);
    }
  }

  @Test
  void editsDependOnTheWordsPositionToo() {
    // the same word at several positions does not always get the same typo
    String query = "laminar laminar laminar laminar laminar laminar laminar laminar";

    assertThat(new HashSet<>(Arrays.asList(TypoQueries.typo(query, 1).split(" ")))).hasSizeGreaterThan(1);
  }

  @Test
  void rejectsNull() {
    assertThatThrownBy(() -> TypoQueries.typo(null, 1)).isInstanceOf(NullPointerException.class);
  }

  private static String sorted(String word) {
    char[] letters = word.toCharArray();
    Arrays.sort(letters);
    return new String(letters);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  private static int damerauLevenshtein(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
