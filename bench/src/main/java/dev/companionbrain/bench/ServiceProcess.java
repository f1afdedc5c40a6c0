package dev.companionbrain.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The query service in a JVM of its own, as it is deployed ({@code QueryService.main}), rather than
 * in this one, which also holds the Flink mini cluster that indexed the documents: sharing a JIT
 * with Flink's code kept the compilers busy for a minute into each scenario.
 */
record ServiceProcess(Process process, Path log) implements AutoCloseable {
  static ServiceProcess start(Map<String, String> env, int port, Path work) throws Exception {
    return start(env, port, work, System.getProperty("java.class.path"), 0);
  }

  /**
   * @param classpath the service's classpath (this JVM's, unless a benchmark runs another build of the service)
   * @param niceness above 0: the service starts under {@code nice -n niceness}, at a lower CPU priority than
   *     the stack's other processes (every thread of the JVM inherits it)
   */
  static ServiceProcess start(Map<String, String> env, int port, Path work, String classpath, int niceness)
      throws Exception {
    return start(env, port, work, classpath, niceness, java.util.List.of());
  }

  /** @param jvmOptions more options of the service's JVM (e.g. a flight recording), before its class */
  static ServiceProcess start(Map<String, String> env, int port, Path work, String classpath, int niceness,
      java.util.List<String> jvmOptions) throws Exception {
    Path log = work.resolve("query-service-" + port + ".log");
    ProcessBuilder builder = new ProcessBuilder(command(classpath, niceness, jvmOptions))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    ServiceProcess service = new ServiceProcess(builder.start(), log);
    ProcessHandle handle = service.process.toHandle();
    Runtime.getRuntime().addShutdownHook(new Thread(handle::destroy)); // Ctrl-C leaves no service behind
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return service;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      if (!service.process.isAlive() || System.nanoTime() > deadline) {
        service.close();
        throw new IllegalStateException("the query service did not start; its log:\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  /** The service's command line; {@code nice} execs the JVM, so the process's pid stays the JVM's. */
  static java.util.List<String> command(String classpath, int niceness) {
    return command(classpath, niceness, java.util.List.of());
  }

  static java.util.List<String> command(String classpath, int niceness, java.util.List<String> jvmOptions) {
    if (niceness < 0) {
      throw new IllegalArgumentException("a niceness below 0 needs privileges the benchmark does not ask for: " + niceness);
    }
    java.util.List<String> command = new java.util.ArrayList<>();
    if (niceness > 0) {
      command.addAll(java.util.List.of("nice", "-n", Integer.toString(niceness)));
    }
    command.addAll(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    command.addAll(jvmOptions);
    command.addAll(java.util.List.of("-cp", classpath, "dev.companionbrain.query.QueryService"));
    return command;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
