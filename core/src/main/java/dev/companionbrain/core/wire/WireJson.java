package dev.companionbrain.core.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapping of the product's wire types (topics, Redis values): snake_case property
 * names, and unknown properties ignored so that a reader is not broken by a newer writer's field.
 */
public final class WireJson {
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private WireJson() {}

  public static byte[] bytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String string(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T read(byte[] json, Class<T> type) throws IOException {
    return JSON.readValue(json, type);
  }

  public static <T> T read(String json, Class<T> type) throws IOException {
    return JSON.readValue(json, type);
  }

  public static JsonNode tree(byte[] json) throws IOException {
    return JSON.readTree(json);
  }

  public static JsonNode tree(String json) throws IOException {
    return JSON.readTree(json);
  }

  public static <T> T read(JsonNode tree, Class<T> type) throws JsonProcessingException {
    return JSON.treeToValue(tree, type);
  }
}
