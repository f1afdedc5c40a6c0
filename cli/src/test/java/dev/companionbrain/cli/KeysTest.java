package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.auth.Scope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arguments of {@code brain keys create}, refused with their reason before anything is written. */
class KeysTest {
  @Test
  void expiryIsAWholeNumberOfMinutesHoursOrDays() {
    assertThat(Keys.parseDuration("90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Keys.parseDuration("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(Keys.parseDuration("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Keys.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
    for (String bad : new String[] {null, "", "0d", "-1d", "1", "d", "1.5h", "1w", "12345678d", " 1d"}) {
      assertThatThrownBy(() -> Keys.parseDuration(bad)).as(bad).hasMessageContaining("90m, 12h, 30d");
    }
  }

  @Test
  void scopesAreCommaSeparatedOrRepeated() {
    assertThat(Keys.parseScopes(List.of("search, metrics", "admin")))
        .containsExactlyInAnyOrder(Scope.SEARCH, Scope.METRICS, Scope.ADMIN);
    assertThatThrownBy(() -> Keys.parseScopes(List.of("search,write"))).hasMessageContaining("no scope 'write'");
    assertThatThrownBy(() -> Keys.parseScopes(List.of("search,"))).hasMessageContaining("no scope ''");
  }

  @Test
  void tenantTagsAreCommaSeparated() {
    assertThat(Keys.parseTags(null)).isNull();
    assertThat(Keys.parseTags("a, b")).containsExactly("a", "b");
    assertThat(Keys.parseTags("a,,b")).containsExactly("a", "", "b"); // refused by the key's own check
  }
}
