package dev.companionbrain.jobs.warming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpaceSavingTest {
  @Test
  void withRoomForEveryItemTheCountsAreExact() {
    SpaceSaving sketch = new SpaceSaving(10);
    for (String item : List.of("a", "b", "a", "c", "a", "b")) {
      sketch.add(item, 1);
    }

    assertThat(sketch.top(3)).containsExactly(
        new SpaceSaving.Counter("a", 3, 0), new SpaceSaving.Counter("b", 2, 0), new SpaceSaving.Counter("c", 1, 0));
    assertThat(sketch.count("zzz")).isZero();
  }

  @Test
  void aNewItemInAFullSketchTakesTheSmallestCounterAndItsCountAsError() {
    SpaceSaving sketch = new SpaceSaving(2);
    sketch.add("a", 5);
    sketch.add("b", 2);
    sketch.add("c", 1);

    assertThat(sketch.size()).isEqualTo(2);
    assertThat(sketch.count("b")).isZero();
    assertThat(sketch.top(2)).containsExactly(new SpaceSaving.Counter("a", 5, 0), new SpaceSaving.Counter("c", 3, 2));
  }

  /** The guarantee: every item asked more than N / capacity times is counted, never under its true count. */
  @Test
  void heavyHittersOfASkewedStreamAreFoundWithUpperBoundCounts() {
    SpaceSaving sketch = new SpaceSaving(40);
    Map<String, Long> truth = new HashMap<>();
    Random random = new Random(7);
    int n = 50_000;
    for (int i = 0; i < n; i++) {
      // Zipf-like: item j with probability ~ 1/j over 5,000 items
      String item = "q" + (int) Math.floor(Math.pow(5_000, random.nextDouble()));
      truth.merge(item, 1L, Long::sum);
      sketch.add(item, 1);
    }
    List<String> trueTop5 = truth.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(5).map(Map.Entry::getKey).toList();

    assertThat(sketch.top(5)).extracting(SpaceSaving.Counter::item).containsExactlyElementsOf(trueTop5);
    for (SpaceSaving.Counter c : sketch.counters()) {
      long real = truth.getOrDefault(c.item(), 0L);
      assertThat(c.count()).isGreaterThanOrEqualTo(real);
      assertThat(c.count() - c.error()).isLessThanOrEqualTo(real);
    }
    truth.forEach((item, count) -> {
      if (count > n / 40) {
        assertThat(sketch.count(item)).as(item).isPositive();
      }
    });
  }

  @Test
  void tiesAreBrokenByItemSoTheOrderIsStable() {
    SpaceSaving sketch = new SpaceSaving(5);
    sketch.add("b", 1);
    sketch.add("a", 1);
    sketch.add("c", 1);

    assertThat(sketch.top(3)).extracting(SpaceSaving.Counter::item).containsExactly("a", "b", "c");
  }

  @Test
  void mergeAddsCountsPerItemAndKeepsTheLargest() {
    SpaceSaving one = new SpaceSaving(3);
    one.add("a", 4);
    one.add("b", 1);
    SpaceSaving two = new SpaceSaving(3);
    two.add("a", 1);
    two.add("c", 3);
    two.add("d", 2);

    SpaceSaving merged = SpaceSaving.merge(2, List.of(one, two));

    assertThat(merged.top(5)).containsExactly(new SpaceSaving.Counter("a", 5, 0), new SpaceSaving.Counter("c", 3, 0));
  }

  @Test
  void roundTripThroughBytes() throws IOException {
    SpaceSaving sketch = new SpaceSaving(2);
    sketch.add("é long \n item", 3);
    sketch.add("b", 1);
    sketch.add("c", 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    sketch.write(new DataOutputStream(bytes));

    SpaceSaving back = SpaceSaving.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

    assertThat(back.capacity()).isEqualTo(2);
    assertThat(back.counters()).containsExactlyInAnyOrderElementsOf(sketch.counters());
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new SpaceSaving(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
