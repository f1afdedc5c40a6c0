package dev.companionbrain.core.search;

import static dev.companionbrain.core.search.BadRequestException.quoted;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * How much each {@link Retriever} counts in a {@link Fusion}: an immutable map from retriever to a
 * finite weight {@code >= 0}, with at least one weight {@code > 0}. Retrievers not mentioned weigh
 * 0. Two instances are equal when every retriever has the same weight.
 *
 * <p>Written as a spec such as {@code "text:0.2,keyword:0.4,vector:0.4"}, see {@link #parse} and
 * {@link #toSpec()}.
 */
public final class Weights {
  private static final String CODE = "invalid_weights";
  private static final String EXAMPLE = "text:0.2,keyword:0.4,vector:0.4";
  /** Plain decimal numbers only: no sign, exponent, hex, NaN or Infinity. */
  private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d*)?|\\.\\d+");

  /** Only the weights {@code > 0}; never empty. */
  private final EnumMap<Retriever, Double> positive;

  /** The canonical spec, computed once: it is part of every cache key. */
  private final String spec;

  private Weights(EnumMap<Retriever, Double> positive) {
    this.positive = positive;
    StringJoiner joined = new StringJoiner(",");
    positive.forEach((retriever, weight) -> joined.add(retriever.wireName() + ":" + formatWeight(weight)));
    this.spec = joined.toString();
  }

  /**
   * Weights from a map; absent retrievers weigh 0.
   *
   * @throws IllegalArgumentException if a weight is negative, NaN or infinite, or all are 0
   * @throws NullPointerException if the map, a key or a value is null
   */
  public static Weights of(Map<Retriever, Double> weights) {
    Objects.requireNonNull(weights, "weights");
    EnumMap<Retriever, Double> positive = new EnumMap<>(Retriever.class);
    for (Map.Entry<Retriever, Double> entry : weights.entrySet()) {
      Retriever retriever = Objects.requireNonNull(entry.getKey(), "retriever");
      double weight = Objects.requireNonNull(entry.getValue(), "weight");
      if (!Double.isFinite(weight) || weight < 0.0) {
        throw new IllegalArgumentException(
            "weight of " + retriever.wireName() + " must be finite and >= 0, got " + weight);
      }
      if (weight > 0.0) {
        positive.put(retriever, weight);
      }
    }
    if (positive.isEmpty()) {
      throw new IllegalArgumentException("at least one weight must be > 0, got " + weights);
    }
    return new Weights(positive);
  }

  /**
   * Parses a spec such as {@code "text:0.2, keyword:0.4, vector:0.4"}: comma-separated {@code
   * retriever:weight} entries, whitespace tolerated around names, colons and commas, retriever
   * names case-insensitive, each retriever at most once, weights plain decimals {@code >= 0}
   * (e.g. {@code 1}, {@code 0.25}, {@code .5}). Retrievers not mentioned weigh 0.
   *
   * @throws BadRequestException with code {@code "invalid_weights"} and a message naming the bad
   *     part when the spec is null or blank, has an empty entry, an entry without a colon, an
   *     unknown or repeated retriever, a weight that is not a plain decimal, negative or too large,
   *     or when every weight is 0
   */
  public static Weights parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw invalid("weights must not be empty; expected e.g. " + EXAMPLE);
    }
    EnumMap<Retriever, Double> weights = new EnumMap<>(Retriever.class);
    for (String rawEntry : spec.split(",", -1)) {
      String entry = rawEntry.strip();
      if (entry.isEmpty()) {
        throw invalid("weights " + quoted(spec) + " contain an empty entry; expected e.g. " + EXAMPLE);
      }
      int colon = entry.indexOf(':');
      if (colon < 0) {
        throw invalid("weights entry " + quoted(entry) + " has no ':'; expected retriever:weight");
      }
      String name = entry.substring(0, colon).strip();
      Retriever retriever;
      try {
        retriever = Retriever.fromWire(name);
      } catch (IllegalArgumentException e) {
        throw invalid(
            "unknown retriever " + quoted(name) + " in weights; expected text, keyword or vector");
      }
      if (weights.containsKey(retriever)) {
        throw invalid("retriever " + quoted(name) + " appears more than once in weights");
      }
      weights.put(retriever, parseWeight(entry, entry.substring(colon + 1).strip()));
    }
    if (weights.values().stream().noneMatch(weight -> weight > 0.0)) {
      throw invalid("weights " + quoted(spec) + " are all zero; at least one must be > 0");
    }
    return of(weights);
  }

  private static double parseWeight(String entry, String number) {
    if (number.startsWith("-")) {
      throw invalid("weight in " + quoted(entry) + " is negative; weights must be >= 0");
    }
    if (!DECIMAL.matcher(number).matches()) {
      throw invalid("weight in " + quoted(entry) + " is not a plain decimal number");
    }
    double weight = Double.parseDouble(number);
    if (!Double.isFinite(weight)) {
      throw invalid("weight in " + quoted(entry) + " is too large");
    }
    return weight;
  }

  private static BadRequestException invalid(String message) {
    return new BadRequestException(CODE, message);
  }

  /** The weight of {@code retriever}; 0 when not mentioned. */
  public double weight(Retriever retriever) {
    Objects.requireNonNull(retriever, "retriever");
    return positive.getOrDefault(retriever, 0.0);
  }

  /** The retrievers whose weight is {@code > 0}, unmodifiable, in enum order; never empty. */
  public Set<Retriever> active() {
    EnumSet<Retriever> active = EnumSet.noneOf(Retriever.class);
    active.addAll(positive.keySet());
    return Collections.unmodifiableSet(active);
  }

  /**
   * The canonical spec: retrievers in enum order, only weights {@code > 0}, numbers without
   * trailing zeros, e.g. {@code "keyword:0.5,vector:0.5"}. Equal weights give equal specs, so it is
   * fit for cache keys, and {@code parse(w.toSpec()).equals(w)}.
   */
  public String toSpec() {
    return spec;
  }

  private static String formatWeight(double weight) {
    return BigDecimal.valueOf(weight).stripTrailingZeros().toPlainString();
  }

  @Override
  public boolean equals(Object other) {
    return this == other || (other instanceof Weights that && positive.equals(that.positive));
  }

  @Override
  public int hashCode() {
    return positive.hashCode();
  }

  @Override
  public String toString() {
    return "Weights[" + toSpec() + "]";
  }
}
