package dev.companionbrain.core.config;

import java.util.Map;
import java.util.Optional;

/**
 * Configuration from environment variables (and, for the Flink jobs, program arguments) with local
 * defaults. Secrets are read here and never logged: {@link #toString()} masks every key whose name
 * says secret, password or key.
 *
 * <p><b>Program arguments.</b> Every setting is named by its environment variable; its program
 * argument is that name without {@code BRAIN_}, in lower case, with {@code _} turned into {@code -}:
 * {@code BRAIN_KAFKA_BOOTSTRAP_SERVERS} &lt;-&gt; {@code --kafka-bootstrap-servers}. An argument
 * ({@code --name value} or {@code --name=value}) wins over the variable; the variable wins over the
 * default. Secrets ({@code --meilisearch-key}, {@code --elasticsearch-password}) are accepted as
 * arguments, but the environment is the better place for them (arguments show up in process lists).
 */
public final class Settings {
  private static final String PREFIX = "BRAIN_";
  private final Map<String, String> values;
  private final java.util.Set<String> fromArguments;

  public Settings(Map<String, String> values) {
    this(values, java.util.Set.of());
  }

  private Settings(Map<String, String> values, java.util.Set<String> fromArguments) {
    this.values = Map.copyOf(values);
    this.fromArguments = java.util.Set.copyOf(fromArguments);
  }

  public static Settings fromEnvironment() {
    return new Settings(System.getenv());
  }

  /** {@link #fromArgsAndEnvironment(String[], Map, java.util.Collection)} on this process's environment. */
  public static Settings fromArgsAndEnvironment(String[] args, java.util.Collection<String> known) {
    return fromArgsAndEnvironment(args, System.getenv(), known);
  }

  /**
   * Program arguments over environment variables (see the class comment for the mapping).
   *
   * @param known the variable names a program reads; an argument for any other name is refused
   * @throws IllegalArgumentException with one line naming the argument: unknown, without a value, or
   *     not starting with {@code --}
   */
  public static Settings fromArgsAndEnvironment(String[] args, Map<String, String> env, java.util.Collection<String> known) {
    Map<String, String> values = new java.util.HashMap<>(env);
    java.util.Set<String> given = new java.util.HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "': settings are given as --name value");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("argument --" + name + " needs a value");
      }
      String variable = variableName(name);
      if (!known.contains(variable)) {
        throw new IllegalArgumentException("unknown argument --" + name + " (known: "
            + known.stream().sorted().map(Settings::argumentName).collect(java.util.stream.Collectors.joining(" ")) + ")");
      }
      values.put(variable, value);
      given.add(variable);
    }
    return new Settings(values, given);
  }

  /** {@code BRAIN_KAFKA_BOOTSTRAP_SERVERS} -> {@code --kafka-bootstrap-servers}. */
  public static String argumentName(String variable) {
    String bare = variable.startsWith(PREFIX) ? variable.substring(PREFIX.length()) : variable;
    return "--" + bare.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  /** {@code kafka-bootstrap-servers} (with or without the dashes in front) -> {@code BRAIN_KAFKA_BOOTSTRAP_SERVERS}. */
  public static String variableName(String argument) {
    String bare = argument.startsWith("--") ? argument.substring(2) : argument;
    return PREFIX + bare.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }

  /** How a setting is named in an error message: the argument when it came from one, else the variable. */
  private String describe(String name) {
    return fromArguments.contains(name) ? argumentName(name) : name;
  }

  public String get(String name, String fallback) {
    String v = values.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  public Optional<String> find(String name) {
    return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
  }

  public int getInt(String name, int fallback) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(describe(name) + " must be an integer, got '" + v + "'");
    }
  }

  /** An integer of at least {@code min}; the message names the setting otherwise. */
  public int getInt(String name, int fallback, int min) {
    int v = getInt(name, fallback);
    if (v < min) {
      throw new IllegalArgumentException(describe(name) + " must be at least " + min + ", got " + v);
    }
    return v;
  }

  /** A long of at least {@code min}; the message names the setting otherwise. */
  public long getLong(String name, long fallback, long min) {
    long v = getLong(name, fallback);
    if (v < min) {
      throw new IllegalArgumentException(describe(name) + " must be at least " + min + ", got " + v);
    }
    return v;
  }

  public double getDouble(String name, double fallback) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(describe(name) + " must be a number, got '" + v + "'");
    }
  }

  public long getLong(String name, long fallback) {
    String v = values.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(describe(name) + " must be an integer, got '" + v + "'");
    }
  }

  // Where the engines are: every component reads them here, with the same local defaults.

  public String kafkaBootstrapServers() {
    return get("BRAIN_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  public String elasticsearchUrl() {
    return get("BRAIN_ELASTICSEARCH_URL", "http://127.0.0.1:9200");
  }

  /** The Elasticsearch user, or null. */
  public String elasticsearchUsername() {
    return find("BRAIN_ELASTICSEARCH_USERNAME").orElse(null);
  }

  /** The Elasticsearch password (a secret), or null. */
  public String elasticsearchPassword() {
    return find("BRAIN_ELASTICSEARCH_PASSWORD").orElse(null);
  }

  public String meilisearchUrl() {
    return get("BRAIN_MEILISEARCH_URL", "http://127.0.0.1:7700");
  }

  /**
   * The Meilisearch key (a secret), or null: {@code BRAIN_MEILISEARCH_KEY}, else the content of the
   * file {@code BRAIN_MEILISEARCH_KEY_FILE} names (a mounted secret, as docker-compose gives the
   * query service its search-only key).
   */
  public String meilisearchKey() {
    return find("BRAIN_MEILISEARCH_KEY").or(() -> find("BRAIN_MEILISEARCH_KEY_FILE").map(Settings::readSecretFile))
        .orElse(null);
  }

  private static String readSecretFile(String path) {
    try {
      String secret = java.nio.file.Files.readString(java.nio.file.Path.of(path.trim())).strip();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException("BRAIN_MEILISEARCH_KEY_FILE " + path.trim() + " is empty");
      }
      return secret;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("BRAIN_MEILISEARCH_KEY_FILE " + path.trim() + " cannot be read: " + e);
    }
  }

  public String redisUri() {
    return get("BRAIN_REDIS_URI", "redis://127.0.0.1:6379");
  }

  /** The index name, the same in Elasticsearch and Meilisearch. */
  public String index() {
    return get("BRAIN_INDEX", "documents");
  }

  /** Replication factor of the topics a job creates ({@code BRAIN_TOPIC_REPLICATION_FACTOR}, default 1). */
  public short topicReplicationFactor() {
    int v = getInt("BRAIN_TOPIC_REPLICATION_FACTOR", 1, 1);
    if (v > Short.MAX_VALUE) {
      throw new IllegalArgumentException(describe("BRAIN_TOPIC_REPLICATION_FACTOR") + " is too large: " + v);
    }
    return (short) v;
  }

  /** Replicas of the Elasticsearch index a job creates ({@code BRAIN_INDEX_REPLICAS}, default 0). */
  public int indexReplicas() {
    return getInt("BRAIN_INDEX_REPLICAS", 0, 0);
  }

  /** The names of the engine settings that {@link EngineAddresses#from} and {@link #kafkaBootstrapServers} read. */
  public static java.util.List<String> engineSettings() {
    return java.util.List.of("BRAIN_KAFKA_BOOTSTRAP_SERVERS", "BRAIN_ELASTICSEARCH_URL", "BRAIN_ELASTICSEARCH_USERNAME",
        "BRAIN_ELASTICSEARCH_PASSWORD", "BRAIN_MEILISEARCH_URL", "BRAIN_MEILISEARCH_KEY", "BRAIN_REDIS_URI", "BRAIN_INDEX");
  }

  public Settings with(String name, String value) {
    var copy = new java.util.HashMap<>(values);
    copy.put(name, value);
    return new Settings(copy, fromArguments);
  }

  @Override
  public String toString() {
    return "Settings" + values.keySet().stream().filter(k -> k.startsWith("BRAIN_"))
        .sorted().map(k -> k + "=" + (isSecret(k) ? "****" : values.get(k))).toList();
  }

  static boolean isSecret(String name) {
    String n = name.toUpperCase(java.util.Locale.ROOT);
    return n.contains("KEY") || n.contains("PASSWORD") || n.contains("SECRET");
  }
}
