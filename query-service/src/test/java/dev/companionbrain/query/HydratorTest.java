package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.core.cache.HydrationEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HydratorTest {
  private final List<List<String>> askedTheEngine = new ArrayList<>();

  private Hydrator hydrator(Map<String, String> cached, Map<String, HydrationEntry> engine) {
    return new Hydrator(ids -> cached, ids -> {
      askedTheEngine.add(ids);
      return engine;
    });
  }

  @Test
  void theCacheAnswersWhatItHasAndTheEngineOnlyTheRest() {
    HydrationEntry a = new HydrationEntry("a", "A", null, List.of("x"), null, "snippet a");
    HydrationEntry b = new HydrationEntry("b", "B", null, List.of(), null, "snippet b");
    Map<String, HydrationEntry> fields = hydrator(Map.of("a", a.toJson()), Map.of("b", b)).get(List.of("a", "b"));
    assertThat(fields).containsExactlyInAnyOrderEntriesOf(Map.of("a", a, "b", b));
    assertThat(askedTheEngine).containsExactly(List.of("b"));
  }

  @Test
  void anUnreadableCacheEntryIsAskedOfTheEngineAndAnIdNobodyHasStaysWithoutFields() {
    HydrationEntry a = new HydrationEntry("a", "A", null, List.of(), null, null);
    Map<String, HydrationEntry> fields = hydrator(Map.of("a", "{not json"), Map.of("a", a)).get(List.of("a", "gone"));
    assertThat(fields).containsOnlyKeys("a");
    assertThat(askedTheEngine).containsExactly(List.of("a", "gone"));
  }

  @Test
  void nothingMissingAsksTheEngineNothing() {
    HydrationEntry a = new HydrationEntry("a", "A", null, List.of(), null, null);
    hydrator(Map.of("a", a.toJson()), Map.of()).get(List.of("a"));
    assertThat(askedTheEngine).isEmpty();
  }
}
