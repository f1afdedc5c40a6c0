package dev.companionbrain.cli;

import dev.companionbrain.localstack.LocalStackMain;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The brain command: run the product locally and talk to it. */
@Command(name = "brain", mixinStandardHelpOptions = true,
    description = "Companion Brain: streaming hybrid search.",
    subcommands = {Brain.Up.class})
public final class Brain implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(new CommandLine(new Brain()).execute(args));
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  @Command(name = "up", description = "Start the local stack on real engines; Ctrl-C stops it.")
  static final class Up implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      LocalStackMain.main(new String[0]);
      return 0;
    }
  }
}
