package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.fail;

import dev.companionbrain.localstack.MeilisearchBinary;
import dev.companionbrain.testsupport.Repository;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tools that check compose files without a Docker engine, for the deployment-file tests:
 * Debian's docker-compose 1.29 and dclint (both installed by {@code ./brain test}), and the run of a
 * command with a bounded wait and a chosen environment.
 */
final class ComposeTool {
  private static final Path REPO = Repository.root();
  private static final Pattern ANY_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)");

  private ComposeTool() {}

  /** What a command printed, and how it exited. */
  record Run(int exit, String stdout, String stderr) {
    String output() {
      return stdout + stderr;
    }
  }

  /**
   * docker-compose 1.29 with {@code files} ({@code -f} each, in order), the variables only from an env
   * file holding {@code env}: none of the files' variables is taken from this JVM's environment.
   */
  static Run compose(Path workDir, List<Path> files, Map<String, String> env, String... args) throws Exception {
    Path envFile = Files.createTempFile(workDir, "test", ".env");
    Files.writeString(envFile, env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n", "", "\n")));
    List<String> cmd = new ArrayList<>(List.of(executable("docker-compose",
        "docker-compose 1.29 (Debian package docker-compose; ./brain test installs it)"),
        "--env-file", envFile.toString()));
    Set<String> unset = new TreeSet<>(env.keySet());
    for (Path file : files) {
      cmd.addAll(List.of("-f", file.toString()));
      Matcher m = ANY_VARIABLE.matcher(Files.readString(file));
      while (m.find()) {
        unset.add(m.group(1));
      }
    }
    cmd.addAll(List.of(args));
    return run(cmd, files.get(0).getParent(), workDir, unset);
  }

  /** dclint against the compose-spec schema, with the repository's rules (deploy/compose/dclint.json). */
  static Run dclint(Path scratch, Path file) throws Exception {
    String version = System.getProperty("dclint.version", "3.1.0");
    Path cli = MeilisearchBinary.cacheDir().resolve("npm/dclint-" + version + "/node_modules/dclint/bin/dclint.cjs");
    if (!Files.isRegularFile(cli)) {
      fail("dclint " + version + " is not in " + cli + ": ./brain test installs it (npm install --prefix "
          + cli.getParent().getParent().getParent().getParent() + " dclint@" + version + ")");
    }
    String node = executable("node", "Node.js (dclint runs on it)");
    return run(List.of(node, cli.toString(), "-c", REPO.resolve("deploy/compose/dclint.json").toString(),
        "--color", "false", file.toString()), REPO, scratch, Set.of());
  }

  static String executable(String name, String what) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(name + " not found on PATH: " + what);
  }

  /** Runs {@code cmd} in {@code dir} without the variables {@code unset}, for at most 60 s. */
  static Run run(List<String> cmd, Path dir, Path scratch, Set<String> unset) throws Exception {
    Path out = Files.createTempFile(scratch, "out", ".txt");
    Path err = Files.createTempFile(scratch, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    unset.forEach(pb.environment()::remove);
    pb.environment().remove("COMPOSE_FILE");
    pb.environment().remove("COMPOSE_PROJECT_NAME");
    Process process = pb.start();
    try {
      if (!process.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
        fail(String.join(" ", cmd) + " did not finish in 60 s");
      }
    } finally {
      if (process.isAlive()) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
    }
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
