package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for engines that run in a child JVM with a classpath of their own. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * The classpath a node module wrote at build time (resource companion-brain/NAME.classpath),
   * followed by the module's own jar or classes folder.
   */
  static List<String> classpath(String node) {
    String resource = "companion-brain/" + node + ".classpath";
    URL url = ChildJvm.class.getClassLoader().getResource(resource);
    if (url == null) {
      throw new MissingPrerequisiteException(resource + " not on the classpath: build the project first (./brain test or mvn install)");
    }
    List<String> entries = new ArrayList<>();
    try (InputStream in = url.openStream()) {
      for (String entry : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(java.io.File.pathSeparator)) {
        if (!entry.isBlank()) {
          entries.add(entry.trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    entries.add(0, ownLocation(url, resource));
    return entries;
  }

  private static String ownLocation(URL url, String resource) {
    String s = url.toString();
    if (s.startsWith("jar:file:")) {
      return Path.of(java.net.URI.create(s.substring(4, s.indexOf("!/")))).toString();
    }
    String dir = s.substring(0, s.length() - resource.length());
    return Path.of(java.net.URI.create(dir)).toString();
  }

  static List<String> command(List<String> classpath, List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(String.join(java.io.File.pathSeparator, classpath));
    command.add(mainClass);
    command.addAll(args);
    return command;
  }
}
