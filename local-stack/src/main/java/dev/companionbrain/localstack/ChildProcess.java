package dev.companionbrain.localstack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A process started by the stack: output to a log file, stopped with its descendants on close. */
final class ChildProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private ChildProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ChildProcess start(String name, List<String> command, Path workDir, Path log) {
    return start(name, command, java.util.Map.of(), workDir, log);
  }

  /** Starts with extra environment variables (secrets go here, never on the command line). */
  static ChildProcess start(String name, List<String> command, java.util.Map<String, String> env, Path workDir, Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder = new ProcessBuilder(command)
          .directory(workDir.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      return new ChildProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new EngineStartException(name + " could not be started (" + command.get(0) + "): " + e.getMessage(), e);
    }
  }

  /** Runs a short command to completion; throws with its output when it fails. */
  static void runToCompletion(String name, List<String> command, Path workDir, Path log, long timeoutSeconds) {
    ChildProcess child = start(name, command, workDir, log);
    try {
      if (!child.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        child.close();
        throw new EngineStartException(name + " did not finish within " + timeoutSeconds + " s\n" + child.tail());
      }
      if (child.process.exitValue() != 0) {
        throw new EngineStartException(name + " failed with exit code " + child.process.exitValue() + "\n" + child.tail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      child.close();
      throw new EngineStartException(name + " interrupted", e);
    }
  }

  /** kill -9: the process gets no chance to clean up (to test recovery from a crash). */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends {@code signal} (e.g. STOP, CONT) to the process and its descendants with {@code kill}: a
   * frozen engine keeps its sockets open and answers nothing, like a machine that hangs.
   */
  void signal(String signal) {
    java.util.List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + signal, Long.toString(process.pid())));
    process.descendants().forEach(d -> command.add(Long.toString(d.pid())));
    try {
      Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + name + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + signal + " " + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Waits for the process to exit by itself. */
  boolean awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Throws with the end of the log if the process has died. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new EngineStartException(name + " exited with code " + process.exitValue() + "\n" + tail());
    }
  }

  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      int from = Math.max(0, lines.size() - 30);
      return "--- last lines of " + log + " ---\n" + String.join("\n", lines.subList(from, lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle d : descendants) {
      d.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
