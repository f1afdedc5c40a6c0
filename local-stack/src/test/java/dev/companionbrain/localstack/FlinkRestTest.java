package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlinkRestTest {
  @Test
  void aRefusalIsTheLastCausedByWithoutItsExceptionClass() {
    String trace = """
        org.apache.flink.runtime.rest.handler.RestHandlerException: Could not execute application.
        \tat org.apache.flink.runtime.webmonitor.handlers.JarRunHandler.lambda$handleRequest$1(JarRunHandler.java:114)
        Caused by: org.apache.flink.client.program.ProgramInvocationException: The main method caused an error: --batch-size must be an integer, got 'many'
        \tat org.apache.flink.client.program.PackagedProgram.callMainMethod(PackagedProgram.java:373)
        Caused by: java.lang.IllegalArgumentException: --batch-size must be an integer, got 'many'
        \tat dev.companionbrain.core.config.Settings.getInt(Settings.java:120)
        """;
    assertThat(FlinkRest.rootCause(trace)).isEqualTo("--batch-size must be an integer, got 'many'");
    assertThat(FlinkRest.rootCause("Job not found.")).isEqualTo("Job not found.");
  }

  @Test
  void theJvmOptionsComeFromEnvJavaOptsAll(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, "taskmanager.numberOfTaskSlots: 4\nenv.java.opts.all: --add-opens=java.base/java.util=ALL-UNNAMED"
        + " --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED\n");
    assertThat(FlinkCluster.javaOptions(config))
        .containsExactly("--add-opens=java.base/java.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED");
    assertThat(FlinkCluster.javaOptions(Path.of("..", "flink-conf", "config.yaml")))
        .as("the product's config.yaml").contains("--add-opens=java.base/java.util=ALL-UNNAMED");
  }
}
