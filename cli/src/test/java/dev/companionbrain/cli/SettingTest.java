package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.jobs.latency.LatencyAlertJob;
import dev.companionbrain.query.QueryConfig;
import dev.companionbrain.testsupport.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The settings catalogue is the one home of every setting's name, default and meaning. */
class SettingTest {
  private static final Path REPO = Repository.root();

  static String row(Setting s) {
    String dflt = s.defaultValue() == null ? "" : "`" + s.defaultValue() + "`";
    return "| `" + s.variable() + "` | " + dflt + " | " + s.meaning().replace("|", "\\|") + " |";
  }

  @Test
  void docsConfigurationIsTheCatalogue() throws Exception {
    List<String> table = Files.readAllLines(REPO.resolve("docs/CONFIGURATION.md")).stream()
        .filter(l -> l.startsWith("| `BRAIN_")).toList();
    List<String> expected = Stream.of(Setting.values()).map(SettingTest::row).toList();
    assertThat(table).as("docs/CONFIGURATION.md's table; the catalogue's rows are:%n%s", String.join("\n", expected))
        .containsExactlyElementsOf(expected);
  }

  @Test
  void noMainSourceNamesASettingOutsideTheCatalogue() throws Exception {
    List<String> offenders = new ArrayList<>();
    for (String module : List.of("core", "jobs", "query-service", "cli")) {
      try (Stream<Path> files = Files.walk(REPO.resolve(module).resolve("src/main/java"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          String name = file.getFileName().toString();
          if (name.equals("Setting.java") || name.equals("Settings.java")) {
            continue;
          }
          List<String> lines = Files.readAllLines(file);
          for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("\"BRAIN_")) {
              offenders.add(REPO.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
            }
          }
        }
      }
    }
    assertThat(offenders).as("read settings through Setting").isEmpty();
  }

  @Test
  void everyConfigReadsItsDefaultsFromTheCatalogue() {
    Settings none = new Settings(Map.of());
    QueryConfig query = QueryConfig.from(none);
    assertThat(query.port()).isEqualTo(Integer.parseInt(Setting.QUERY_PORT.defaultValue()));
    assertThat(query.defaults().weightedWeights().toSpec()).isEqualTo(Setting.WEIGHTED_WEIGHTS.defaultValue());
    assertThat(query.maxConcurrentSearchesPerClient()).isEqualTo(16);
    IndexingConfig indexing = IndexingConfig.from(none);
    assertThat(indexing.batchSize()).isEqualTo(Integer.parseInt(Setting.BATCH_SIZE.defaultValue()));
    assertThat(indexing.documentsTopic()).isEqualTo(Setting.DOCUMENTS_TOPIC.defaultValue());
    assertThat(LatencyAlertJob.Config.from(none).alertsTopic()).isEqualTo(Setting.ALERTS_TOPIC.defaultValue());
  }

  /** A bad value used to surface as an HTTP BadRequestException from inside the service's start. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "BRAIN_FUSION | borda", "BRAIN_WEIGHTED_WEIGHTS | magic:1", "BRAIN_QUERY_PORT | eighty",
      "BRAIN_MAX_CONCURRENT_SEARCHES | 0", "BRAIN_TEXT_TIMEOUT_MS | -5", "BRAIN_COMPUTE_LIMIT | 0",
      "BRAIN_COMPUTE_LIMIT | fast", "BRAIN_SATURATED_MAX_STALENESS_MS | -1"})
  void aBadValueFailsStartUpWithOneLineNamingTheSetting(String variable, String value) {
    assertThatThrownBy(() -> QueryConfig.from(new Settings(Map.of(variable, value))))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(variable)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void theComputationsLimitIsAdaptiveByDefaultOrAFixedNumber() {
    assertThat(QueryConfig.from(new Settings(Map.of())).fixedComputeLimit()).isEmpty();
    assertThat(QueryConfig.from(new Settings(Map.of("BRAIN_COMPUTE_LIMIT", "12"))).fixedComputeLimit()).hasValue(12);
    assertThat(QueryConfig.from(new Settings(Map.of("BRAIN_COMPUTE_LIMIT", "1"))).fixedComputeLimit()).hasValue(1);
    assertThat(QueryConfig.from(new Settings(Map.of())).saturatedMaxStaleMillis()).isEqualTo(30_000);
    assertThat(QueryConfig.from(new Settings(Map.of("BRAIN_COMPUTE_LIMIT", "7"))).toString()).contains("computeLimit=7");
  }
}
