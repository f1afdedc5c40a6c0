package dev.companionbrain.cli;

import dev.companionbrain.core.auth.ApiKey;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.query.ApiKeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The query service's API keys, in the key store on Redis ({@link ApiKeyStore}): create (the key is
 * printed once), list, revoke. Redis is {@code BRAIN_REDIS_URI}, else the stack of {@code ./brain up}.
 */
@Command(name = "keys", description = "The query service's API keys: create, list, revoke.",
    subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Revoke.class})
final class Keys implements Callable<Integer> {
  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  static String redisUri() {
    return RunningStack.require(Setting.REDIS_URI, "redis");
  }

  /**
   * {@code 90m}, {@code 12h}, {@code 30d}: a positive whole number and its unit.
   *
   * @throws IllegalArgumentException saying what it takes
   */
  static Duration parseDuration(String text) {
    if (text == null || !text.matches("[1-9][0-9]{0,6}[mhd]")) {
      throw new IllegalArgumentException("--expires-in takes a whole number and m, h or d (e.g. 90m, 12h, 30d), got '"
          + text + "'");
    }
    long n = Long.parseLong(text.substring(0, text.length() - 1));
    return switch (text.charAt(text.length() - 1)) {
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** {@code search,metrics} or repeated options: the scopes, each one of {@link Scope}. */
  static Set<Scope> parseScopes(List<String> values) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String value : values) {
      for (String name : value.split(",", -1)) {
        scopes.add(Scope.fromWire(name.strip()));
      }
    }
    return scopes;
  }

  /** {@code a,b}: the tenant's tags, or null for none. */
  static List<String> parseTags(String value) {
    if (value == null) {
      return null;
    }
    List<String> tags = new ArrayList<>();
    for (String tag : value.split(",", -1)) {
      tags.add(tag.strip());
    }
    return tags;
  }

  @Command(name = "create", description = "Make a key; it is printed once and never stored (only its SHA-256 is).")
  static final class Create implements Callable<Integer> {
    @Option(names = "--name", required = true, description = "who or what uses it (1-100 characters)")
    String name;

    @Option(names = "--scope", split = ",", description = "search, documents, metrics, admin (default: search)")
    List<String> scopes = new ArrayList<>(List.of("search"));

    @Option(names = "--tenant-tags", description = "the key sees only documents with at least one of these tags: a,b")
    String tenantTags;

    @Option(names = "--max-concurrent", description = "its share of searches at once (default: the service's per-client share)")
    Integer maxConcurrent;

    @Option(names = "--expires-in", description = "e.g. 90m, 12h, 30d (default: never)")
    String expiresIn;

    @Override
    public Integer call() {
      long now = System.currentTimeMillis();
      ApiKeyStore.Created created;
      try {
        Set<Scope> scopeSet = parseScopes(scopes);
        Long expiresAt = expiresIn == null ? null : now + parseDuration(expiresIn).toMillis();
        List<String> tenant = parseTags(tenantTags);
        // the key's own checks run before the store writes anything
        created = LocalKeys.withStore(redisUri(), store -> store.create(name, scopeSet, tenant, maxConcurrent, expiresAt, now));
      } catch (IllegalArgumentException bad) {
        System.err.println("brain keys create: " + bad.getMessage());
        return 2;
      }
      System.out.println(created.token());
      System.err.println("key " + created.key().id() + " (" + name + ", " + describe(created.key())
          + "): shown once, keep it now; send it as Authorization: Bearer <key>");
      return 0;
    }
  }

  @Command(name = "list", description = "Every key: id, name, scopes, tenant, share, expiry, revoked (never the key).")
  static final class ListKeys implements Callable<Integer> {
    @Override
    public Integer call() {
      List<ApiKey> keys = LocalKeys.withStore(redisUri(), ApiKeyStore::list);
      long now = System.currentTimeMillis();
      System.out.printf("%-12s  %-20s  %-24s  %-20s  %-5s  %-20s  %s%n", "id", "name", "scopes", "tenant", "share",
          "expires", "state");
      for (ApiKey k : keys) {
        System.out.printf("%-12s  %-20s  %-24s  %-20s  %-5s  %-20s  %s%n", k.id(), k.name(),
            String.join(",", k.scopes().stream().map(Scope::wireName).sorted().toList()),
            k.tenantTags() == null ? "-" : String.join(",", k.tenantTags()),
            k.maxConcurrent() == null ? "-" : k.maxConcurrent().toString(),
            k.expiresAt() == null ? "never" : Instant.ofEpochMilli(k.expiresAt()).toString().substring(0, 19),
            k.revoked() ? "revoked" : k.expiredAt(now) ? "expired" : "active");
      }
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a key by its id or its name; every instance refuses it within a second.")
  static final class Revoke implements Callable<Integer> {
    @Parameters(index = "0", description = "the key's id (or its name, when one active key has it)")
    String key;

    @Override
    public Integer call() {
      Optional<ApiKey> revoked;
      try {
        revoked = LocalKeys.withStore(redisUri(), store -> store.revoke(key, System.currentTimeMillis()));
      } catch (IllegalArgumentException ambiguous) {
        System.err.println("brain keys revoke: " + ambiguous.getMessage());
        return 2;
      }
      if (revoked.isEmpty()) {
        System.err.println("brain keys revoke: no key has the id or name '" + key + "'");
        return 2;
      }
      System.out.println("revoked " + revoked.get().id() + " (" + revoked.get().name() + ")");
      return 0;
    }
  }

  static String describe(ApiKey k) {
    return "scopes " + String.join(",", k.scopes().stream().map(Scope::wireName).sorted().toList())
        + (k.tenantTags() == null ? "" : ", tenant " + String.join(",", k.tenantTags()))
        + (k.maxConcurrent() == null ? "" : ", share " + k.maxConcurrent())
        + (k.expiresAt() == null ? "" : ", expires " + Instant.ofEpochMilli(k.expiresAt()));
  }
}
