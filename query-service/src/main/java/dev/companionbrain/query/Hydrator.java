package dev.companionbrain.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.companionbrain.core.cache.HydrationEntry;
import dev.companionbrain.core.document.Document;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NStringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;

/**
 * Hydrates hits with the display fields of their documents: from the hydration entries the indexing job keeps in Redis, and for
 * ids Redis lacks (or while Redis is down) from the fields Elasticsearch stores.
 */
final class Hydrator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Function<List<String>, Map<String, String>> cachedEntries;
  private final Function<List<String>, Map<String, HydrationEntry>> fromEngine;

  /**
   * @param cachedEntries the hydration entries' JSON of the ids the cache has (Redis), none when it is away
   * @param fromEngine the display fields of the ids the engine has, none when it is away
   */
  Hydrator(Function<List<String>, Map<String, String>> cachedEntries,
      Function<List<String>, Map<String, HydrationEntry>> fromEngine) {
    this.cachedEntries = cachedEntries;
    this.fromEngine = fromEngine;
  }

  /** From Redis, and for what it lacks from the fields Elasticsearch stores. */
  static Hydrator of(RedisStore redis, RestClient elasticsearch, String index) {
    return new Hydrator(redis::documents, ids -> fromElasticsearch(elasticsearch, index, ids));
  }

  Map<String, HydrationEntry> get(List<String> ids) {
    Map<String, HydrationEntry> out = new HashMap<>();
    cachedEntries.apply(ids).forEach((id, json) -> {
      try {
        out.put(id, HydrationEntry.fromJson(json));
      } catch (Exception ignored) {
        // unreadable entry: fall back to the engine
      }
    });
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      if (!out.containsKey(id)) {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      out.putAll(fromEngine.apply(missing));
    }
    return out;
  }


  private static Map<String, HydrationEntry> fromElasticsearch(RestClient elasticsearch, String index, List<String> ids) {
    Map<String, HydrationEntry> out = new HashMap<>();
    try {
      ObjectNode body = JSON.createObjectNode();
      ArrayNode idArray = body.putArray("ids");
      ids.forEach(idArray::add);
      Request request = new Request("POST", "/" + index + "/_mget");
      request.addParameter("_source_includes", "title,url,tags,updated_at,body");
      request.setEntity(new NStringEntity(body.toString(), ContentType.APPLICATION_JSON));
      JsonNode docs = JSON.readTree(EntityUtils.toByteArray(elasticsearch.performRequest(request).getEntity())).path("docs");
      for (JsonNode doc : docs) {
        if (doc.path("found").asBoolean(false)) {
          JsonNode s = doc.path("_source");
          String id = doc.path("_id").asText();
          Document d = new Document(id, text(s, "title"), text(s, "body"), tags(s), text(s, "url"), text(s, "updated_at"));
          out.put(id, HydrationEntry.of(d));
        }
      }
    } catch (Exception e) {
      // hits keep their ids and scores without display fields
    }
    return out;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static List<String> tags(JsonNode n) {
    List<String> tags = new ArrayList<>();
    n.path("tags").forEach(t -> tags.add(t.asText()));
    return tags;
  }
}
