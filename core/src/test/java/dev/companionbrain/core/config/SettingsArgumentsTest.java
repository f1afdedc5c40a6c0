package dev.companionbrain.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsArgumentsTest {
  private static final List<String> KNOWN = List.of("BRAIN_KAFKA_BOOTSTRAP_SERVERS", "BRAIN_BATCH_SIZE",
      "BRAIN_MEILISEARCH_KEY", "BRAIN_TOPIC_REPLICATION_FACTOR", "BRAIN_INDEX_REPLICAS");

  @Test
  void theArgumentIsTheVariableWithoutPrefixInLowerCaseWithDashes() {
    assertThat(Settings.argumentName("BRAIN_KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("--kafka-bootstrap-servers");
    assertThat(Settings.variableName("--kafka-bootstrap-servers")).isEqualTo("BRAIN_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void argumentsWinOverTheEnvironmentWhichWinsOverDefaults() {
    Settings s = Settings.fromArgsAndEnvironment(new String[] {"--kafka-bootstrap-servers", "k:1", "--batch-size=7"},
        Map.of("BRAIN_KAFKA_BOOTSTRAP_SERVERS", "env:9", "BRAIN_MEILISEARCH_KEY", "secret-key"), KNOWN);
    assertThat(s.kafkaBootstrapServers()).isEqualTo("k:1");
    assertThat(s.getInt("BRAIN_BATCH_SIZE", 100)).isEqualTo(7);
    assertThat(s.meilisearchKey()).isEqualTo("secret-key");
    assertThat(s.topicReplicationFactor()).isEqualTo((short) 1);
    assertThat(s.indexReplicas()).isZero();
    assertThat(s.toString()).doesNotContain("secret-key");
  }

  @Test
  void anUnknownArgumentIsRefusedByName() {
    assertThatThrownBy(() -> Settings.fromArgsAndEnvironment(new String[] {"--bach-size", "7"}, Map.of(), KNOWN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown argument --bach-size")
        .hasMessageContaining("--batch-size");
    assertThatThrownBy(() -> Settings.fromArgsAndEnvironment(new String[] {"--batch-size"}, Map.of(), KNOWN))
        .hasMessage("argument --batch-size needs a value");
    assertThatThrownBy(() -> Settings.fromArgsAndEnvironment(new String[] {"batch-size"}, Map.of(), KNOWN))
        .hasMessageContaining("'batch-size'");
  }

  @Test
  void aBadValueNamesTheArgumentItCameFrom() {
    Settings s = Settings.fromArgsAndEnvironment(new String[] {"--batch-size", "many", "--index-replicas", "-1"},
        Map.of("BRAIN_TOPIC_REPLICATION_FACTOR", "x"), KNOWN);
    assertThatThrownBy(() -> s.getInt("BRAIN_BATCH_SIZE", 100)).hasMessage("--batch-size must be an integer, got 'many'");
    assertThatThrownBy(s::indexReplicas).hasMessage("--index-replicas must be at least 0, got -1");
    assertThatThrownBy(s::topicReplicationFactor)
        .hasMessage("BRAIN_TOPIC_REPLICATION_FACTOR must be an integer, got 'x'");
  }
}
