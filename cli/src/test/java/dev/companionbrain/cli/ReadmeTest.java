package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.companionbrain.testsupport.Repository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README and the docs point at what exists: every relative link, every `./brain` command and option. */
class ReadmeTest {
  private static final Path REPO = Repository.root();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)(#[^)]*)?\\)");
  private static final Pattern BRAIN = Pattern.compile("(?m)^\\./brain ([a-z]+)((?: [a-z]+)?)([^#\\n]*)");

  static List<Path> documents() throws Exception {
    List<Path> files = new ArrayList<>(List.of(REPO.resolve("README.md"), REPO.resolve("BENCHMARKS.md")));
    try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
    }
    return files;
  }

  @Test
  void everyRelativeLinkPointsAtAFileThatExists() throws Exception {
    for (Path doc : documents()) {
      Matcher link = LINK.matcher(Files.readString(doc));
      while (link.find()) {
        String target = link.group(1);
        if (!target.contains("://") && !target.startsWith("mailto:")) {
          assertThat(doc.getParent().resolve(target)).as("%s links to %s", REPO.relativize(doc), target).exists();
        }
      }
    }
  }

  @Test
  void everyBrainCommandOfTheReadmeIsOneTheCliOrTheScriptKnows() throws Exception {
    String readme = Files.readString(REPO.resolve("README.md"));
    CommandLine cli = new CommandLine(new Brain());
    List<String> script = List.of("up", "test", "bench", "help");
    Matcher command = BRAIN.matcher(readme);
    int seen = 0;
    while (command.find()) {
      seen++;
      String verb = command.group(1);
      if (script.contains(verb) && !cli.getSubcommands().containsKey(verb)) {
        continue;
      }
      assertThat(cli.getSubcommands()).as("./brain %s", verb).containsKey(verb);
      CommandLine sub = cli.getSubcommands().get(verb);
      String next = command.group(2).strip();
      if (!next.isEmpty() && !sub.getSubcommands().isEmpty()) {
        assertThat(sub.getSubcommands()).as("./brain %s %s", verb, next).containsKey(next);
        sub = sub.getSubcommands().get(next);
      }
      Matcher option = Pattern.compile("(--[a-z-]+)").matcher(command.group(3));
      while (option.find()) {
        assertThat(sub.getCommandSpec().findOption(option.group(1))).as("./brain %s ... %s", verb, option.group(1)).isNotNull();
      }
    }
    assertThat(seen).isGreaterThan(5);
  }
}
