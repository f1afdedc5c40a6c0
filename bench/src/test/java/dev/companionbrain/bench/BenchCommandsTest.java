package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.testsupport.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The {@code ./brain bench} commands the docs name exist with their options (cli's ReadmeTest for the rest). */
class BenchCommandsTest {
  private static final Pattern COMMAND = Pattern.compile("\\./brain bench (indexing|load|cache|capacity|passages|reindex)([^`\\n]*)");

  @Test
  void everyBenchCommandOfTheDocsIsOneBenchKnowsWithItsOptions() throws Exception {
    Path repo = Repository.root();
    CommandLine bench = new CommandLine(new Bench());
    int seen = 0;
    for (Path doc : List.of(repo.resolve("README.md"), repo.resolve("BENCHMARKS.md"), repo.resolve("docs/LOCAL-STACK.md"))) {
      Matcher command = COMMAND.matcher(Files.readString(doc));
      while (command.find()) {
        seen++;
        CommandLine sub = bench.getSubcommands().get(command.group(1));
        assertThat(sub).as("./brain bench %s", command.group(1)).isNotNull();
        Matcher option = Pattern.compile("(--[a-z0-9-]+)").matcher(command.group(2));
        while (option.find()) {
          assertThat(sub.getCommandSpec().findOption(option.group(1)))
              .as("%s: ./brain bench %s ... %s", repo.relativize(doc), command.group(1), option.group(1)).isNotNull();
        }
      }
    }
    assertThat(seen).isGreaterThan(5);
  }

  @Test
  void theIndexingPhasesGivenReplaceTheDefaultOnes() {
    IndexingBenchmark indexing = new IndexingBenchmark();
    new CommandLine(indexing).parseArgs("--only", "scale,engines", "--scale", "1000");
    assertThat(indexing.phases).containsExactlyInAnyOrder("scale", "engines");
    assertThat(indexing.scaleDocs).isEqualTo(1000);
  }
}
