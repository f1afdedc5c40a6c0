package dev.companionbrain.core.cache;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where Redis is, as {@code BRAIN_REDIS_URI} says it: {@code redis://[user:password@]host:port} for one
 * Redis, or several comma-separated seeds for a Redis Cluster,
 * {@code redis://[user:password@]host:port,host:port[,...]} (any nodes of the cluster; the client
 * learns the rest). The seeds after the first take the first one's user and password: a cluster's
 * nodes carry the same ACL users. {@link #toString()} names the hosts alone, never a credential.
 *
 * @param seeds one Redis, or the cluster's seeds (never empty)
 */
public record RedisAddress(List<RedisURI> seeds) {
  public RedisAddress {
    seeds = List.copyOf(seeds);
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("a Redis address needs at least one host:port");
    }
  }

  /** A Redis Cluster: more than one seed. */
  public boolean cluster() {
    return seeds.size() > 1;
  }

  /**
   * Reads {@code BRAIN_REDIS_URI}'s form.
   *
   * @throws IllegalArgumentException naming what is wrong (never the password)
   */
  public static RedisAddress parse(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("the Redis URI is empty: redis://[user:password@]host:port[,host:port...]");
    }
    String text = uri.strip();
    int scheme = text.indexOf("://");
    if (scheme < 0 || !(text.startsWith("redis://") || text.startsWith("rediss://"))) {
      throw new IllegalArgumentException("the Redis URI must start with redis:// or rediss://: "
          + masked(text));
    }
    String prefix = text.substring(0, scheme + 3);
    String rest = text.substring(scheme + 3);
    int at = rest.lastIndexOf('@', firstSlashOrEnd(rest));
    String credentials = at < 0 ? "" : rest.substring(0, at + 1);
    String hostsAndPath = at < 0 ? rest : rest.substring(at + 1);
    int slash = hostsAndPath.indexOf('/');
    String hosts = slash < 0 ? hostsAndPath : hostsAndPath.substring(0, slash);
    String path = slash < 0 ? "" : hostsAndPath.substring(slash);
    List<RedisURI> seeds = new ArrayList<>();
    for (String host : hosts.split(",", -1)) {
      String hostPort = host.strip();
      if (hostPort.isEmpty() || hostPort.startsWith(":") || !hostPort.matches(".*[^:]:\\d{1,5}")) {
        throw new IllegalArgumentException("a Redis seed needs host:port, got '" + hostPort + "' in "
            + masked(text));
      }
      try {
        seeds.add(RedisURI.create(prefix + credentials + hostPort + path));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unreadable Redis seed '" + hostPort + "' in " + masked(text), e);
      }
    }
    if (seeds.size() > 1 && !path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
      throw new IllegalArgumentException("a Redis Cluster has only database 0: " + masked(text));
    }
    return new RedisAddress(seeds);
  }

  private static int firstSlashOrEnd(String rest) {
    int slash = rest.indexOf('/');
    return slash < 0 ? rest.length() : slash;
  }

  /** The URI with any password replaced by {@code ****}. */
  static String masked(String uri) {
    return uri.replaceAll("(://[^:@/]*:)[^@/]*@", "$1****@");
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(seeds.size() > 1 ? "Redis Cluster " : "Redis ");
    for (int i = 0; i < seeds.size(); i++) {
      RedisURI seed = seeds.get(i);
      out.append(i == 0 ? "" : ",").append(seed.getHost()).append(':').append(seed.getPort());
    }
    return out.toString();
  }
}
