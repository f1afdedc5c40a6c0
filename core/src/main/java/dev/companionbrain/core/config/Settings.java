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

  // The catalogue's settings (Setting): the name and the default are written there, once.

  /** The setting's value, else its default (null when it has none). */
  public String get(Setting setting) {
    return get(setting.variable(), setting.defaultValue());
  }

  public Optional<String> find(Setting setting) {
    return find(setting.variable()).or(() -> Optional.ofNullable(setting.defaultValue()));
  }

  /** An integer of at least {@code min}; the message names the setting otherwise. */
  public int getInt(Setting setting, int min) {
    return getInt(setting.variable(), Integer.parseInt(setting.defaultValue()), min);
  }

  /** A long of at least {@code min}; the message names the setting otherwise. */
  public long getLong(Setting setting, long min) {
    return getLong(setting.variable(), Long.parseLong(setting.defaultValue()), min);
  }

  public double getDouble(Setting setting) {
    return getDouble(setting.variable(), Double.parseDouble(setting.defaultValue()));
  }

  /** true or false (any case); the message names the setting otherwise. */
  public boolean getBoolean(Setting setting) {
    return parse(setting, value -> switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    });
  }

  /**
   * The setting's value (or default) read by {@code parser}; whatever the parser refuses becomes one
   * line naming the setting, so a bad value fails start-up, not a request.
   */
  public <T> T parse(Setting setting, java.util.function.Function<String, T> parser) {
    String value = get(setting);
    try {
      return parser.apply(value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(describe(setting.variable()) + " is not valid ('" + value + "'): " + e.getMessage());
    }
  }

  // Where the engines are: every component reads them here.

  public String kafkaBootstrapServers() {
    return get(Setting.KAFKA_BOOTSTRAP_SERVERS);
  }

  public String elasticsearchUrl() {
    return get(Setting.ELASTICSEARCH_URL);
  }

  /** The Elasticsearch user, or null. */
  public String elasticsearchUsername() {
    return get(Setting.ELASTICSEARCH_USERNAME);
  }

  /** The Elasticsearch password (a secret), or null. */
  public String elasticsearchPassword() {
    return get(Setting.ELASTICSEARCH_PASSWORD);
  }

  public String meilisearchUrl() {
    return get(Setting.MEILISEARCH_URL);
  }

  /**
   * The Meilisearch key (a secret), or null: {@code BRAIN_MEILISEARCH_KEY}, else the content of the
   * file {@code BRAIN_MEILISEARCH_KEY_FILE} names (a mounted secret, as docker-compose gives the
   * query service its search-only key).
   */
  public String meilisearchKey() {
    return find(Setting.MEILISEARCH_KEY).or(() -> find(Setting.MEILISEARCH_KEY_FILE).map(this::readSecretFile))
        .orElse(null);
  }

  private String readSecretFile(String path) {
    String name = describe(Setting.MEILISEARCH_KEY_FILE.variable());
    try {
      String secret = java.nio.file.Files.readString(java.nio.file.Path.of(path.trim())).strip();
      if (secret.isEmpty()) {
        throw new IllegalArgumentException(name + " " + path.trim() + " is empty");
      }
      return secret;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(name + " " + path.trim() + " cannot be read: " + e);
    }
  }

  public String redisUri() {
    return get(Setting.REDIS_URI);
  }

  /** The index name, the same in Elasticsearch and Meilisearch. */
  public String index() {
    return get(Setting.INDEX);
  }

  /** Replication factor of the topics a job creates. */
  public short topicReplicationFactor() {
    int v = getInt(Setting.TOPIC_REPLICATION_FACTOR, 1);
    if (v > Short.MAX_VALUE) {
      throw new IllegalArgumentException(describe(Setting.TOPIC_REPLICATION_FACTOR.variable()) + " is too large: " + v);
    }
    return (short) v;
  }

  /** Replicas of the Elasticsearch index a job creates. */
  public int indexReplicas() {
    return getInt(Setting.INDEX_REPLICAS, 0);
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
