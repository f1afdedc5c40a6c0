package dev.companionbrain.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.localstack.Folders;
import dev.companionbrain.localstack.Ports;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./brain up} itself, for a benchmark that measures the product as a user starts it: the CLI's
 * JVM as {@code ./brain}'s {@code run_cli} starts it (its heap, the bench JVM's {@code --add-opens}, the
 * cli module's classpath) running {@code Brain up} on free ports, with its running-stack file in a
 * folder of its own ({@code -Dbrain.home}) so that a stack of the user's is left alone. Everything
 * {@code up} starts (engines, the Flink cluster and its three jobs, the query service in the CLI's JVM,
 * Prometheus) is up when {@link #start} returns; closing stops it the way Ctrl-C does (SIGTERM: its
 * shutdown hook) and deletes the folder.
 */
final class UpProcess implements AutoCloseable {
  /** {@code run_cli}'s heap in {@code ./brain}. */
  static final String CLI_HEAP = "-Xmx2g";
  private static final Duration STARTUP = Duration.ofMinutes(6);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path home;
  private final Map<String, String> endpoints;

  private UpProcess(Process process, Path home, Map<String, String> endpoints) {
    this.process = process;
    this.home = home;
    this.endpoints = endpoints;
  }

  /** Starts {@code brain up} and waits (at most 6 minutes) until it has written its endpoints. */
  static UpProcess start() throws Exception {
    Path classpath = Path.of("cli", "target", "runtime.classpath");
    if (!Files.isRegularFile(classpath)) {
      throw new IllegalStateException("no " + classpath + ": build with mvn install -DskipTests (./brain bench does)");
    }
    Path home = Files.createTempDirectory("brain-up-");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream().filter(a -> a.startsWith("--add-opens"))
        .forEach(command::add);
    command.addAll(List.of(CLI_HEAP, "-Dbrain.home=" + home, "-cp",
        "cli/target/classes:" + Files.readString(classpath).trim(), "dev.companionbrain.cli.Brain", "up",
        "--port", Integer.toString(Ports.free()), "--flink-port", Integer.toString(Ports.free()),
        "--metrics-port", Integer.toString(Ports.free())));
    Path log = home.resolve("up.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Path file = home.resolve(".brain").resolve("endpoints.json");
    long deadline = System.nanoTime() + STARTUP.toNanos();
    try {
      while (!Files.exists(file)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("brain up " + (process.isAlive() ? "did not start in " + STARTUP.toMinutes()
              + " minutes" : "exited " + process.exitValue()) + "; its output:\n" + tail(log));
        }
        Thread.sleep(500); // polling for the running-stack file brain up writes last
      }
      Map<String, String> endpoints = JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
      System.out.println("brain up is running (its output: " + log + ")");
      return new UpProcess(process, home, endpoints);
    } catch (Exception | Error e) {
      stop(process);
      Folders.delete(home);
      throw e;
    }
  }

  /** What {@code brain up} wrote to its running-stack file ({@code query_service}, {@code api_key}, …). */
  String endpoint(String key) {
    String value = endpoints.get(key);
    if (value == null) {
      throw new IllegalStateException("brain up recorded no " + key);
    }
    return value;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    try {
      stop(process);
    } finally {
      Folders.delete(home);
    }
  }

  /** SIGTERM, as Ctrl-C: brain up's shutdown hook stops what it started; forcibly after 2 minutes. */
  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (java.io.IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }
}
