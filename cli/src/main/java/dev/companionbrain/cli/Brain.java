package dev.companionbrain.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The brain command: run the product locally and talk to it. The benchmarks ({@code ./brain bench}) are
 * module bench's own command, {@code dev.companionbrain.bench.Bench}.
 */
@Command(name = "brain", mixinStandardHelpOptions = true,
    description = "Companion Brain: streaming hybrid search.",
    subcommands = {Up.class, Ingest.class, Search.class, Evaluate.class, Jobs.class, Reindex.class, Keys.class})
public final class Brain implements Callable<Integer> {

  public static void main(String[] args) {
    CommandLine commandLine = new CommandLine(new Brain());
    // expected failures (nothing running, a missing prerequisite, bad input) are one clear line, not a stack trace
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      System.err.println("brain " + cmd.getCommandName() + ": " + e.getMessage());
      return 1;
    });
    System.exit(commandLine.execute(args));
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }
}
