package dev.companionbrain.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Flink 1.20.3 session cluster on loopback: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each a
 * child JVM on the classpath of {@code local-stack/flink-cluster} (what flink-dist's {@code lib/}
 * holds), configured by the product's {@code flink-conf/config.yaml} with only hosts, ports and
 * folders overridden (dynamic properties). The web UI and REST API answer at {@link #restUrl()}.
 * {@link #close()} (or JVM exit) stops every process and removes the folder.
 *
 * <pre>{@code
 * try (FlinkCluster flink = FlinkCluster.start(Path.of("flink-conf/config.yaml"), 1, Map.of())) {
 *   FlinkRest rest = new FlinkRest(flink.restUrl());
 * }
 * }</pre>
 */
public final class FlinkCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);
  private static final String JOB_MANAGER = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String TASK_MANAGER = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private final Path root;
  private final Path conf;
  private final List<String> classpath;
  private final List<String> javaOptions;
  private final Map<String, String> common;
  private final Map<String, String> env;
  private final int restPort;
  private final int metricsPort;
  private ChildProcess jobManager;
  private final List<ChildProcess> taskManagers = new ArrayList<>();
  private final List<Integer> taskManagerMetricsPorts = new ArrayList<>();
  private List<String> taskManagerResources;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private FlinkCluster(Path root, Path conf, List<String> classpath, List<String> javaOptions,
      Map<String, String> common, Map<String, String> env, int restPort, int metricsPort) {
    this.root = root;
    this.conf = conf;
    this.classpath = classpath;
    this.javaOptions = javaOptions;
    this.common = common;
    this.env = env;
    this.restPort = restPort;
    this.metricsPort = metricsPort;
    this.shutdownHook = new Thread(this::close, "flink-cluster-shutdown");
  }

  /**
   * Starts a JobManager and {@code taskManagers} TaskManagers and waits until they all registered.
   *
   * @param config the product's {@code flink-conf/config.yaml}
   * @param env environment of the cluster's processes (a job's {@code main()} runs in the JobManager
   *     and reads {@code BRAIN_*} variables, so secrets can go here rather than in program arguments)
   */
  public static FlinkCluster start(Path config, int taskManagers, Map<String, String> env) {
    return start(config, taskManagers, env, 0, 0);
  }

  /** As {@link #start(Path, int, Map)} on preferred ports for the web UI and the JobManager's metrics (0: free ones). */
  public static FlinkCluster start(Path config, int taskManagers, Map<String, String> env, int restPort, int metricsPort) {
    long began = System.nanoTime();
    if (!Files.isRegularFile(config)) {
      throw new MissingPrerequisiteException("no Flink configuration at " + config.toAbsolutePath());
    }
    Path root;
    try {
      root = Files.createTempDirectory("companion-brain-flink-");
      Path conf = Files.createDirectories(root.resolve("conf"));
      Files.copy(config, conf.resolve("config.yaml"));
      Files.writeString(conf.resolve("log4j.properties"), LOG4J);
      for (String d : List.of("checkpoints", "savepoints", "tmp", "web", "log", "djl")) {
        Files.createDirectories(root.resolve(d));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] ports = Ports.free(4);
    int rest = restPort > 0 ? Ports.preferredOrFree(restPort) : ports[0];
    int metrics = metricsPort > 0 ? Ports.preferredOrFree(metricsPort) : ports[3];
    Map<String, String> common = new LinkedHashMap<>();
    common.put("jobmanager.rpc.address", "127.0.0.1");
    common.put("jobmanager.rpc.port", Integer.toString(ports[1]));
    common.put("jobmanager.bind-host", "127.0.0.1");
    common.put("taskmanager.bind-host", "127.0.0.1");
    common.put("taskmanager.host", "127.0.0.1");
    common.put("taskmanager.rpc.port", "0");
    common.put("rest.address", "127.0.0.1");
    common.put("rest.bind-address", "127.0.0.1");
    common.put("rest.port", Integer.toString(rest));
    common.put("blob.server.port", Integer.toString(ports[2]));
    common.put("state.checkpoints.dir", root.resolve("checkpoints").toUri().toString());
    common.put("state.savepoints.dir", root.resolve("savepoints").toUri().toString());
    common.put("io.tmp.dirs", root.resolve("tmp").toString());
    common.put("web.tmpdir", root.resolve("web").toString());
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.put("DJL_CACHE_DIR", root.resolve("djl").toString());
    List<String> classpath = ChildJvm.classpath("flink-cluster");
    FlinkCluster cluster = new FlinkCluster(root, root.resolve("conf"), classpath, javaOptions(config), common, childEnv,
        rest, metrics);
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.startJobManager();
      cluster.taskManagerResources = cluster.resourceParams("GET_TM_RESOURCE_PARAMS");
      for (int i = 0; i < taskManagers; i++) {
        cluster.startTaskManager();
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    LOG.info("flink cluster up in {} ms: web UI {} ({} task manager(s))", (System.nanoTime() - began) / 1_000_000,
        cluster.restUrl(), taskManagers);
    return cluster;
  }

  /** The web UI and REST API of the JobManager. */
  public String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  /** The JobManager's Prometheus endpoint (each TaskManager has its own, {@link #taskManagerMetricsUrls()}). */
  public String metricsUrl() {
    return "http://127.0.0.1:" + metricsPort + "/metrics";
  }

  /** The Prometheus endpoints of the TaskManagers started so far. */
  public synchronized List<String> taskManagerMetricsUrls() {
    return taskManagerMetricsPorts.stream().map(p -> "http://127.0.0.1:" + p + "/metrics").toList();
  }

  /** Where checkpoints are written (a {@code file://} URI). */
  public String checkpointsUri() {
    return common.get("state.checkpoints.dir");
  }

  /** Where savepoints are written by default (a {@code file://} URI). */
  public String savepointsUri() {
    return common.get("state.savepoints.dir");
  }

  /** The folder of the cluster: configuration, logs, checkpoints, savepoints. */
  public Path folder() {
    return root;
  }

  private void startJobManager() {
    List<String> resources = resourceParams("GET_JM_RESOURCE_PARAMS");
    Map<String, String> props = new LinkedHashMap<>(common);
    props.put("metrics.reporter.prom.port", Integer.toString(metricsPort));
    jobManager = startProcess("flink-jobmanager", JOB_MANAGER, resources, props, root.resolve("log/jobmanager.log"));
    Await.until("flink jobmanager REST on port " + restPort, Duration.ofSeconds(90), jobManager,
        () -> Http.ok(restUrl() + "/overview", null));
  }

  /**
   * Starts one more TaskManager and waits until the JobManager lists it.
   *
   * @return its index (for {@link #killTaskManager(int)})
   */
  public synchronized int startTaskManager() {
    int index = taskManagers.size();
    String id = "taskmanager-" + index;
    int prom = Ports.free();
    Map<String, String> props = new LinkedHashMap<>(common);
    props.put("taskmanager.resource-id", id);
    props.put("metrics.reporter.prom.port", Integer.toString(prom));
    ChildProcess tm = startProcess("flink-" + id, TASK_MANAGER, taskManagerResources, props,
        root.resolve("log/" + id + ".log"));
    taskManagers.add(tm);
    taskManagerMetricsPorts.add(prom);
    Await.until("flink " + id + " registered", Duration.ofSeconds(90), tm,
        () -> Http.get(restUrl() + "/taskmanagers", null).body().contains("\"" + id + "\""));
    LOG.info("flink {} registered (pid {})", id, tm.pid());
    return index;
  }

  /** kill -9 of one TaskManager: no goodbye to the JobManager, as when a machine dies. */
  public synchronized void killTaskManager(int index) {
    ChildProcess tm = taskManagers.get(index);
    tm.kill();
    LOG.info("flink taskmanager-{} killed (kill -9, pid {})", index, tm.pid());
  }

  /** Process ids of the cluster's processes (for checks that nothing outlives it). */
  public synchronized List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    if (jobManager != null) {
      pids.add(jobManager.pid());
    }
    taskManagers.forEach(tm -> pids.add(tm.pid()));
    return pids;
  }

  private ChildProcess startProcess(String name, String mainClass, List<String> resources, Map<String, String> props,
      Path log) {
    List<String> jvm = new ArrayList<>();
    // line 1 of BashJavaUtils: -Xmx, -Xms, -XX:MaxDirectMemorySize, -XX:MaxMetaspaceSize
    jvm.addAll(Arrays.asList(resources.get(0).trim().split("\\s+")));
    jvm.addAll(javaOptions);
    jvm.add("-XX:+UseSerialGC");
    jvm.add("-Dlog.file=" + log);
    jvm.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    jvm.add("-Dlog4j2.disable.jmx=true");
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    // line 2 (TaskManager and JobManager): the derived memory sizes as dynamic properties
    if (resources.size() > 1 && !resources.get(1).isBlank()) {
      args.addAll(Arrays.asList(resources.get(1).trim().split("\\s+")));
    }
    props.forEach((k, v) -> {
      args.add("-D");
      args.add(k + "=" + v);
    });
    return ChildProcess.start(name, ChildJvm.command(classpath, jvm, mainClass, args), env, root,
        root.resolve("log/" + name + ".out"));
  }

  /**
   * What Flink's scripts ask {@code BashJavaUtils} for before starting a process: without these memory
   * flags and dynamic properties a TaskManager stops with "taskmanager.cpu.cores is not set".
   */
  private List<String> resourceParams(String command) {
    Path out = root.resolve("log/bash-java-utils-" + command.toLowerCase(java.util.Locale.ROOT) + ".out");
    List<String> args = new ArrayList<>(List.of(command, "--configDir", conf.toString()));
    common.forEach((k, v) -> {
      args.add("-D");
      args.add(k + "=" + v);
    });
    ChildProcess.runToCompletion("flink " + command, ChildJvm.command(classpath,
            List.of("-Xmx128m", "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                "-Dlog.file=" + root.resolve("log/bash-java-utils.log")), BASH_JAVA_UTILS, args),
        root, out, 60);
    try {
      List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
          .filter(l -> l.startsWith(RESULT_PREFIX)).map(l -> l.substring(RESULT_PREFIX.length())).toList();
      if (lines.isEmpty()) {
        throw new EngineStartException("BashJavaUtils " + command + " printed no result; see " + out);
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JVM options of {@code env.java.opts.all} in the configuration (the Java 17 --add-opens list). */
  static List<String> javaOptions(Path config) {
    try {
      for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
        String l = line.strip();
        if (l.startsWith("env.java.opts.all:")) {
          String value = l.substring("env.java.opts.all:".length()).strip();
          if (value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          return value.isEmpty() ? List.of() : Arrays.asList(value.split("\\s+"));
        }
      }
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<ChildProcess> all = new ArrayList<>(taskManagers);
    if (jobManager != null) {
      all.add(jobManager);
    }
    all.parallelStream().forEach(ChildProcess::close);
    Folders.delete(root);
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
    LOG.info("flink cluster stopped");
  }

  @Override
  public String toString() {
    return "flink cluster " + restUrl();
  }

  /** WARN and worse to the process's log file; the web UI shows it (log.file). */
  private static final String LOG4J = """
      monitorInterval = 0
      rootLogger.level = WARN
      rootLogger.appenderRef.file.ref = MainAppender
      appender.main.name = MainAppender
      appender.main.type = File
      appender.main.append = true
      appender.main.fileName = ${sys:log.file}
      appender.main.layout.type = PatternLayout
      appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
      # the few INFO lines an operator wants: cluster and job lifecycle, checkpoints, restarts
      logger.dispatcher.name = org.apache.flink.runtime.dispatcher
      logger.dispatcher.level = INFO
      logger.jobmaster.name = org.apache.flink.runtime.jobmaster.JobMaster
      logger.jobmaster.level = INFO
      logger.checkpoint.name = org.apache.flink.runtime.checkpoint.CheckpointCoordinator
      logger.checkpoint.level = INFO
      """;
}
