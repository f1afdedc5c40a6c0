package dev.companionbrain.core.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The versions of one index behind its stable name (issue #21). In Elasticsearch each version is an
 * index of its own, {@code <index>_v<N>}, and {@code <index>} is an alias of the one being served; an
 * index made before versions is {@code <index>} itself, version 0. Meilisearch has no aliases: the
 * version a stack starts with (1, or 0 before versions) is {@code <index>} itself, the name every
 * client and tool knows, and a reindex's versions (2 and on) are {@code <index>_v<N>}. Which version is
 * served is the alias's alone: it is the one pointer for both engines, so a reader that reads it once
 * and names both engines' indexes of that version never mixes two versions in one answer.
 */
public final class IndexVersions {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Not a version: the names that serve now (the alias in Elasticsearch, {@code <index>} in Meilisearch). */
  public static final int SERVED = -1;

  private IndexVersions() {}

  /** The Elasticsearch index that holds {@code version} of {@code index} (0, or {@link #SERVED}: {@code index} itself). */
  public static String elasticsearch(String index, int version) {
    requireVersion(version);
    return version <= 0 ? index : index + "_v" + version;
  }

  /** The Meilisearch index that holds {@code version} of {@code index} (0, 1 or {@link #SERVED}: {@code index} itself). */
  public static String meilisearch(String index, int version) {
    requireVersion(version);
    return version <= 1 ? index : index + "_v" + version;
  }

  /**
   * The version a reindex fills next, given the versions Elasticsearch holds: one past the highest, and
   * at least 2 (version 1 and version 0 share their name in Meilisearch).
   */
  public static int next(List<Integer> versions) {
    return Math.max(2, versions.stream().mapToInt(Integer::intValue).max().orElse(0) + 1);
  }

  private static void requireVersion(int version) {
    if (version < SERVED) {
      throw new IllegalArgumentException("an index version is 0 or more (or SERVED), not " + version);
    }
  }

  /** The version whose Elasticsearch index is {@code physical}: 0 for {@code index} itself; empty for another index's. */
  public static Optional<Integer> versionOf(String index, String physical) {
    if (physical.equals(index)) {
      return Optional.of(0);
    }
    Matcher m = Pattern.compile(Pattern.quote(index) + "_v([1-9][0-9]{0,8})").matcher(physical);
    return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
  }

  /** The version alias {@code index} serves now ({@link #served}); empty when there is no index yet. */
  public static Optional<Integer> servedVersion(RestClient client, String index) {
    return served(client, index).map(physical -> versionOf(index, physical).orElseThrow(() -> new IllegalStateException(
        "alias " + index + " serves index " + physical + ", which is no version of " + index)));
  }

  /**
   * The Elasticsearch index {@code index} names now: the one its alias points at, or itself when it is
   * an index (version 0); empty when neither exists.
   */
  public static Optional<String> served(RestClient client, String index) {
    try {
      JsonNode aliases = JSON.readTree(client.performRequest(new Request("GET", "/_alias/" + index)).getEntity().getContent());
      List<String> indexes = new ArrayList<>();
      aliases.fieldNames().forEachRemaining(indexes::add);
      if (indexes.size() != 1) {
        throw new IllegalStateException("alias " + index + " points at " + indexes + ", not at one index");
      }
      return Optional.of(indexes.get(0));
    } catch (ResponseException e) {
      if (e.getResponse().getStatusLine().getStatusCode() != 404) {
        throw new UncheckedIOException(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return exists(client, index) ? Optional.of(index) : Optional.empty();
  }

  /** Every version of {@code index} that Elasticsearch holds, lowest first. */
  public static List<Integer> versions(RestClient client, String index) {
    List<Integer> versions = new ArrayList<>();
    try {
      JsonNode indexes = JSON.readTree(client.performRequest(new Request("GET", "/" + index + "*/_alias")).getEntity().getContent());
      for (Iterator<String> names = indexes.fieldNames(); names.hasNext(); ) {
        versionOf(index, names.next()).ifPresent(versions::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    versions.sort(null);
    return versions;
  }

  /**
   * Points alias {@code index} at {@code physical} in one {@code _aliases} call, off the index it pointed
   * at: searches see the one or the other, never neither. A version-0 index named {@code index} cannot
   * be served by an alias of its own name; it is deleted in the same call ({@code remove_index}).
   */
  public static void serve(RestClient client, String index, String physical) {
    Request request = new Request("POST", "/_aliases");
    request.setEntity(new NStringEntity(aliasActions(index, served(client, index), physical), ContentType.APPLICATION_JSON));
    try {
      client.performRequest(request);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The body of the {@code _aliases} call that makes alias {@code index} serve {@code physical}, off
   * {@code before} (the index it serves now, if any; {@code index} itself: a version-0 index, deleted).
   */
  static String aliasActions(String index, Optional<String> before, String physical) {
    StringBuilder actions = new StringBuilder("{\"actions\":[");
    if (before.isPresent() && before.get().equals(index)) {
      actions.append("{\"remove_index\":{\"index\":").append(quoted(index)).append("}},");
    } else if (before.isPresent()) {
      actions.append("{\"remove\":{\"index\":").append(quoted(before.get())).append(",\"alias\":")
          .append(quoted(index)).append("}},");
    }
    actions.append("{\"add\":{\"index\":").append(quoted(physical)).append(",\"alias\":")
        .append(quoted(index)).append("}}]}");
    return actions.toString();
  }

  private static String quoted(String name) {
    return com.fasterxml.jackson.databind.node.TextNode.valueOf(name).toString();
  }

  private static boolean exists(RestClient client, String index) {
    try {
      return client.performRequest(new Request("HEAD", "/" + index)).getStatusLine().getStatusCode() == 200;
    } catch (ResponseException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
