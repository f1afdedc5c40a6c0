package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.cli.ComposeTool.Run;
import dev.companionbrain.core.config.Settings;
import dev.companionbrain.localstack.MeilisearchBinary;
import dev.companionbrain.query.QueryConfig;
import dev.companionbrain.testsupport.Repository;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the deployment files with the tools that work without a Docker engine or a Kubernetes
 * cluster: {@code docker-compose.yml} with Debian's docker-compose 1.29 ({@code config}) and with
 * dclint against the current compose-spec schema; the FlinkDeployments of {@code deploy/kubernetes}
 * against the FlinkDeployment CRD schema of flink-kubernetes-operator-api, and its query service
 * (Deployment and Service) against fabric8's typed Kubernetes model, the settings catalogue and the
 * compose file. The Kubernetes checks are contract tests: no Kubernetes runs here, so they check
 * what the API server and the service would be given, not a running cluster. Each check is also
 * shown to reject a broken copy, so no check passes because it checked nothing. The tools are
 * installed by {@code ./brain test} (docker-compose with apt-get, dclint with npm into the cache
 * folder).
 */
class DeploymentFilesTest {
  private static final Path REPO = Repository.root();
  private static final Path COMPOSE = REPO.resolve("docker-compose.yml");
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A secret: a variable with an empty default, which the secrets-check one-shot must find set. */
  private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+):-}");
  private static final Pattern ANY_VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)");
  private static final String INDEXING_JOB = "dev.companionbrain.jobs.indexing.IndexingJob";
  private static final String LATENCY_JOB = "dev.companionbrain.jobs.latency.LatencyAlertJob";
  private static final String WARMING_JOB = "dev.companionbrain.jobs.warming.CacheWarmingJob";
  private static final String JOB_JAR = "/opt/jobs/companion-brain-jobs.jar";
  private static final Path QUERY_SERVICE_MANIFEST = REPO.resolve("deploy/kubernetes/query-service.yaml");
  /** The query service's Secret and the only keys it may read: never the jobs' master key or login. */
  private static final String QUERY_SECRET = "companion-brain-query";
  private static final List<String> QUERY_SECRET_KEYS = List.of("es-query-password", "meili-search-key", "redis-uri");
  /** The compose services, as docs and README name them. */
  private static final Map<String, String> PRODUCT_NAMES = Map.ofEntries(
      Map.entry("kafka", "kafka"), Map.entry("elasticsearch", "elasticsearch"),
      Map.entry("meilisearch", "meilisearch"), Map.entry("redis", "redis"),
      Map.entry("jobmanager", "jobmanager"), Map.entry("taskmanager", "taskmanager"),
      Map.entry("job-submitter", "job-submitter"), Map.entry("job submitter", "job-submitter"),
      Map.entry("query-service", "query-service"), Map.entry("query service", "query-service"),
      Map.entry("prometheus", "prometheus"), Map.entry("grafana", "grafana"));

  private static Map<String, String> secrets;
  private static JsonNode resolved;

  @TempDir Path tmp;

  /** The secrets .env must set, with made-up values, and the file as docker-compose resolves it. */
  @BeforeAll
  static void resolveCompose(@TempDir Path dir) throws Exception {
    secrets = new LinkedHashMap<>();
    Matcher m = REQUIRED_VARIABLE.matcher(Files.readString(COMPOSE));
    while (m.find()) {
      secrets.put(m.group(1), "test" + m.group(1).replace("_", "").toLowerCase() + "0123456789");
    }
    Run run = ComposeTool.compose(dir, List.of(COMPOSE), secrets, "config");
    assertThat(run.exit()).as("docker-compose config:\n%s", run.output()).isZero();
    resolved = YAML.readTree(run.stdout());
  }

  @Test
  void dockerCompose129AcceptsTheFileWithTheSecretsFromAnEnvFile() throws Exception {
    Run run = ComposeTool.compose(tmp, List.of(COMPOSE), secrets, "config", "-q");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(secrets).as("required secrets").containsKeys("MEILI_MASTER_KEY", "ELASTIC_PASSWORD",
        "ES_INDEXER_PASSWORD", "ES_QUERY_PASSWORD", "REDIS_PASSWORD", "GRAFANA_ADMIN_PASSWORD");
  }

  @Test
  void dockerCompose129RejectsAnUnknownKey() throws Exception {
    String original = Files.readString(COMPOSE);
    Path broken = copyComposeWith(original.replaceFirst("\n    restart: unless-stopped\n",
        "\n    restart: unless-stopped\n    restartt: always\n"), original);
    Run unknownKey = ComposeTool.compose(tmp, List.of(broken), secrets, "config", "-q");
    assertThat(unknownKey.exit()).as(unknownKey.output()).isNotZero();
    assertThat(unknownKey.output()).contains("restartt");
  }

  /**
   * The file resolves without a .env, so the refusal of a missing secret is the secrets-check
   * one-shot's: it checks exactly the secrets the file uses, names each missing one, and every
   * service that receives a secret waits for it to exit 0.
   */
  @Test
  void theSecretsCheckRefusesEachMissingSecretAndEveryServiceWithASecretWaitsForIt() throws Exception {
    JsonNode check = resolved.at("/services/secrets-check");
    Set<String> checked = new TreeSet<>();
    check.get("command").forEach(n -> checked.add(n.asText()));
    Set<String> given = new TreeSet<>();
    check.get("environment").fieldNames().forEachRemaining(given::add);
    assertThat(checked).isEqualTo(secrets.keySet()).isEqualTo(given);
    assertThat(check.at("/entrypoint/1").asText()).isEqualTo("/opt/companion-brain/check-secrets.sh");

    Path script = REPO.resolve("deploy/compose/check-secrets.sh");
    List<String> cmd = new ArrayList<>(List.of("sh", script.toString()));
    cmd.addAll(checked);
    Run all = runWith(cmd, secrets);
    assertThat(all.exit()).as(all.output()).isZero();
    for (String secret : checked) {
      Map<String, String> without = new LinkedHashMap<>(secrets);
      without.put(secret, ""); // what compose gives a secret .env does not set
      Run missing = runWith(cmd, without);
      assertThat(missing.exit()).as("without %s: %s", secret, missing.output()).isNotZero();
      assertThat(missing.output()).contains("set " + secret + " in .env");
      secrets.values().forEach(value -> assertThat(missing.output()).as("never a value").doesNotContain(value));
    }

    resolved.get("services").fields().forEachRemaining(service -> {
      if (service.getKey().equals("secrets-check")) {
        return;
      }
      String text = service.getValue().toString();
      if (secrets.values().stream().anyMatch(text::contains)) {
        assertThat(waitsForTheSecretsCheck(service.getKey(), new TreeSet<>()))
            .as("%s receives a secret, so it must wait for secrets-check", service.getKey()).isTrue();
      }
    });
  }

  /** Whether {@code service} depends, directly or through its dependencies, on secrets-check having exited 0. */
  private static boolean waitsForTheSecretsCheck(String service, Set<String> seen) {
    if (!seen.add(service)) {
      return false;
    }
    JsonNode dependsOn = resolved.at("/services/" + service + "/depends_on");
    if (dependsOn.path("secrets-check").path("condition").asText().equals("service_completed_successfully")) {
      return true;
    }
    List<String> next = new ArrayList<>();
    dependsOn.fieldNames().forEachRemaining(next::add);
    return next.stream().anyMatch(d -> waitsForTheSecretsCheck(d, seen));
  }

  /** Runs {@code cmd} with only PATH and {@code env} in its environment. */
  private Run runWith(List<String> cmd, Map<String, String> env) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    String path = pb.environment().get("PATH");
    pb.environment().clear();
    pb.environment().put("PATH", path);
    pb.environment().putAll(env);
    Process process = pb.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  @Test
  void dclintFindsNoComposeSpecSchemaErrorAndRejectsAWrongType() throws Exception {
    Run ok = ComposeTool.dclint(tmp, COMPOSE);
    assertThat(ok.exit()).as(ok.output()).isZero();

    String original = Files.readString(COMPOSE);
    Run wrongType = ComposeTool.dclint(tmp, copyComposeWith(original.replaceFirst("\n    restart: unless-stopped\n",
        "\n    restart: 5\n"), original));
    assertThat(wrongType.exit()).as(wrongType.output()).isNotZero();
    assertThat(wrongType.output()).contains("invalid-schema").contains("/restart");

    Run floatingTag = ComposeTool.dclint(tmp, copyComposeWith(original.replace("image: redis:7.4.2-alpine", "image: redis"), original));
    assertThat(floatingTag.exit()).as(floatingTag.output()).isNotZero();
    assertThat(floatingTag.output()).contains("service-image-require-explicit-tag");
  }

  /** A fresh clone has no .env: the file resolves all the same, with nothing in the environment. */
  @Test
  void theFileResolvesOnAFreshCloneWithoutAnEnvFile() throws Exception {
    Set<String> unset = new TreeSet<>();
    Matcher m = ANY_VARIABLE.matcher(Files.readString(COMPOSE));
    while (m.find()) {
      unset.add(m.group(1));
    }
    // a copy alone in a folder: no .env beside it, whatever this checkout holds
    Path copy = copyComposeWith(Files.readString(COMPOSE), null);
    Run run = ComposeTool.run(List.of(ComposeTool.executable("docker-compose", "docker-compose 1.29"), "-f", "docker-compose.yml", "config", "-q"),
        copy.getParent(), tmp, unset);
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(Files.readString(REPO.resolve("docs/PRODUCTION.md"))).contains("docker-compose -f docker-compose.yml config -q");
  }

  @Test
  void envExampleListsEverySecretAndStaysOutOfGitAndImages() throws Exception {
    Set<String> example = Files.readAllLines(REPO.resolve(".env.example")).stream()
        .filter(l -> l.matches("[A-Z0-9_]+=.*")).map(l -> l.substring(0, l.indexOf('=')))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(example).containsAll(secrets.keySet());
    assertThat(Files.readAllLines(REPO.resolve(".gitignore"))).contains(".env");
    assertThat(Files.readAllLines(REPO.resolve(".dockerignore"))).contains(".env");
    for (String dockerfile : List.of("jobs/Dockerfile", "query-service/Dockerfile")) {
      String text = Files.readString(REPO.resolve(dockerfile));
      for (String secret : secrets.keySet()) {
        assertThat(text).as("%s bakes no secret", dockerfile).doesNotContain(secret);
      }
      assertThat(text).doesNotContain("BRAIN_MEILISEARCH_KEY").doesNotContain("PASSWORD");
    }
  }

  @Test
  void everyImagePinnedEveryLongRunningServiceHealthCheckedEveryDependencyConditioned() {
    Map<String, JsonNode> services = services();
    for (var e : services.entrySet()) {
      String name = e.getKey();
      JsonNode svc = e.getValue();
      String image = svc.path("image").asText();
      assertThat(image).as("%s image", name).matches(".+:[A-Za-z0-9][A-Za-z0-9._-]*").doesNotEndWith(":latest");
      if (image.startsWith("companion-brain/")) {
        assertThat(svc.has("build")).as("%s builds its image", name).isTrue();
      }
      boolean oneShot = "no".equals(svc.path("restart").asText("no"));
      if (!oneShot) {
        assertThat(svc.path("healthcheck").path("test").isMissingNode()).as("%s healthcheck", name).isFalse();
      }
      for (Iterator<Map.Entry<String, JsonNode>> deps = svc.path("depends_on").fields(); deps.hasNext(); ) {
        var dep = deps.next();
        JsonNode target = services.get(dep.getKey());
        assertThat(target).as("%s depends on %s", name, dep.getKey()).isNotNull();
        boolean targetOneShot = "no".equals(target.path("restart").asText("no"));
        assertThat(dep.getValue().path("condition").asText()).as("%s -> %s", name, dep.getKey())
            .isEqualTo(targetOneShot ? "service_completed_successfully" : "service_healthy");
      }
      for (JsonNode port : svc.path("ports")) {
        assertThat(port.asText()).as("%s publishes on 127.0.0.1 unless BRAIN_BIND_ADDRESS says otherwise", name)
            .startsWith("127.0.0.1:");
      }
    }
    assertThat(services).containsKeys("job-submitter", "meilisearch-keys", "elasticsearch-users");
    assertThat(resolved.path("volumes").fieldNames()).toIterable()
        .contains("kafka-data", "elasticsearch-data", "meilisearch-data", "redis-data", "flink-data");
  }

  /**
   * Issue #25: when the CPU is short, the indexing outweighs every other container, so a search
   * overload cannot starve freshness: in compose by its {@code cpu_shares} (1024 when unset), on
   * Kubernetes by its CPU request (the operator requests the TaskManager's {@code cpu}), which sets
   * the pods' shares.
   */
  @Test
  void theIndexingOutweighsEveryOtherContainerForTheCpu() throws Exception {
    Map<String, JsonNode> services = services();
    int taskManager = services.get("taskmanager").path("cpu_shares").asInt(1024);
    services.forEach((name, svc) -> {
      if (!name.equals("taskmanager")) {
        assertThat(svc.path("cpu_shares").asInt(1024)).as("%s's cpu_shares", name).isLessThan(taskManager);
      }
    });
    String request = deployment(queryServiceManifest()).at("/spec/template/spec/containers/0/resources/requests/cpu").asText();
    double serviceCores = request.endsWith("m") ? Double.parseDouble(request.substring(0, request.length() - 1)) / 1000
        : Double.parseDouble(request);
    assertThat(serviceCores).isPositive();
    List<Manifest> indexing = kubernetesManifests("FlinkDeployment").stream()
        .filter(f -> f.doc().at("/spec/job/entryClass").asText().endsWith(".IndexingJob")).toList();
    assertThat(indexing).hasSize(1);
    assertThat(indexing.get(0).doc().at("/spec/taskManager/resource/cpu").asDouble()).isGreaterThan(serviceCores);
  }

  @Test
  void flinkShapeJobSubmitterRunsBothEntryClassesFromTheJarWithNoSecretInItsArguments() throws Exception {
    Map<String, JsonNode> services = services();
    for (String node : List.of("jobmanager", "taskmanager")) {
      JsonNode svc = services.get(node);
      assertThat(svc.path("image").asText()).as("%s runs the job image, the tokenizer jars on its lib/", node)
          .isEqualTo(services.get("job-submitter").path("image").asText());
      List<String> volumes = texts(svc.path("volumes"));
      assertThat(volumes).as(node).contains("flink-data:/flink-data:rw")
          .anyMatch(v -> v.endsWith("/flink-conf:/opt/companion-brain/flink-conf:ro"));
      assertThat(svc.path("environment").path("JOB_MANAGER_RPC_ADDRESS").asText()).isEqualTo("jobmanager");
      for (String secretEnv : List.of("BRAIN_ELASTICSEARCH_PASSWORD", "BRAIN_MEILISEARCH_KEY", "BRAIN_REDIS_URI")) {
        assertThat(svc.path("environment").has(secretEnv)).as("%s gets %s by environment", node, secretEnv).isTrue();
      }
    }
    JsonNode submitter = services.get("job-submitter");
    String command = String.join(" ", texts(submitter.path("command")));
    assertThat(command).contains(INDEXING_JOB).contains(LATENCY_JOB).contains(WARMING_JOB);
    for (String entry : List.of(INDEXING_JOB, LATENCY_JOB, WARMING_JOB)) {
      assertThat(Class.forName(entry).getMethod("main", String[].class)).as(entry).isNotNull();
    }
    for (String value : secrets.values()) {
      assertThat(command).as("program arguments carry no secret").doesNotContain(value);
    }
    assertThat(Files.readString(REPO.resolve("jobs/Dockerfile"))).contains(JOB_JAR);
    assertThat(Files.readString(REPO.resolve("jobs/docker/submit-job"))).contains(JOB_JAR).contains("flink run -d -m");
  }

  @Test
  void queryServiceGetsOnlyASearchKeyAndTheReadOnlyLogin() {
    JsonNode query = services().get("query-service");
    JsonNode env = query.path("environment");
    assertThat(env.has("BRAIN_MEILISEARCH_KEY")).as("no master key for the query service").isFalse();
    assertThat(env.toString()).doesNotContain(secrets.get("MEILI_MASTER_KEY"))
        .doesNotContain(secrets.get("ES_INDEXER_PASSWORD")).doesNotContain(secrets.get("ELASTIC_PASSWORD"));
    assertThat(env.path("BRAIN_ELASTICSEARCH_USERNAME").asText()).isEqualTo("brain_query");
    assertThat(env.path("BRAIN_QUERY_HOST").asText()).isEqualTo("0.0.0.0");
    String keyFile = env.path("BRAIN_MEILISEARCH_KEY_FILE").asText();
    assertThat(keyFile).startsWith("/run/brain-keys/");
    assertThat(texts(query.path("volumes"))).contains("meilisearch-keys:/run/brain-keys:ro");
    JsonNode keys = services().get("meilisearch-keys");
    assertThat(keys.path("environment").path("KEY_FILE").asText()).isEqualTo(keyFile);
    assertThat(texts(keys.path("volumes"))).contains("meilisearch-keys:/run/brain-keys:rw");
  }

  /** flink-conf/config.yaml comes from the real-cluster work: this passes once it is merged. */
  @Test
  void everyMountedPathAndBuildContextExistsInTheRepository() {
    List<String> missing = new ArrayList<>();
    for (var e : services().entrySet()) {
      JsonNode build = e.getValue().path("build");
      if (!build.isMissingNode()) {
        Path context = Path.of(build.path("context").asText());
        checkInRepo(e.getKey() + " build context", context, missing);
        checkInRepo(e.getKey() + " dockerfile", context.resolve(build.path("dockerfile").asText("Dockerfile")), missing);
      }
      for (String volume : texts(e.getValue().path("volumes"))) {
        String source = volume.substring(0, volume.indexOf(':'));
        if (source.startsWith("/")) {
          checkInRepo(e.getKey() + " mount", Path.of(source), missing);
        }
      }
    }
    checkInRepo("flink-conf/config.yaml (copied into the Flink containers)", REPO.resolve("flink-conf/config.yaml"), missing);
    assertThat(missing).as("paths docker-compose.yml mounts or builds from").isEmpty();
  }

  @Test
  void everyServiceTheDocsNameIsInTheComposeFile() throws Exception {
    Set<String> services = services().keySet();
    String production = Files.readString(REPO.resolve("docs/PRODUCTION.md"));
    Set<String> table = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(production);
    while (row.find()) {
      table.add(row.group(1));
    }
    assertThat(table).as("services table of docs/PRODUCTION.md").isEqualTo(new TreeSet<>(services));

    String readme = Files.readString(REPO.resolve("README.md"));
    Matcher heading = Pattern.compile("(?m)^(#+) .*[Pp]roduction.*$").matcher(readme);
    assertThat(heading.find()).as("README.md has a production section").isTrue();
    int level = heading.group(1).length();
    String rest = readme.substring(heading.end());
    Matcher next = Pattern.compile("(?m)^#{1," + level + "} ").matcher(rest);
    String section = next.find() ? rest.substring(0, next.start()) : rest;
    Set<String> named = namedServices(section);
    assertThat(named).as("services the README's production section names").isNotEmpty();
    assertThat(services).containsAll(named);
  }

  @Test
  void flinkDeploymentsMatchTheOperatorCrdSchemaAndAWrongTypeFails() throws Exception {
    JsonSchema schema = flinkDeploymentSchema();
    List<Manifest> flinkDeployments = kubernetesManifests("FlinkDeployment");
    assertThat(flinkDeployments).isNotEmpty();
    Set<String> entryClasses = new LinkedHashSet<>();
    for (Manifest manifest : flinkDeployments) {
      Path file = manifest.file();
      JsonNode doc = manifest.doc();
      assertThat(doc.path("apiVersion").asText()).as(file.toString()).isEqualTo("flink.apache.org/v1beta1");
      assertThat(schema.validate(doc)).as("%s against the FlinkDeployment CRD", file).isEmpty();
      JsonNode job = doc.path("spec").path("job");
      assertThat(job.path("upgradeMode").asText()).isEqualTo("savepoint");
      assertThat(job.path("jarURI").asText()).isEqualTo("local://" + JOB_JAR);
      entryClasses.add(job.path("entryClass").asText());
      assertThat(Class.forName(job.path("entryClass").asText())).isNotNull();
      assertThat(doc.path("spec").path("flinkConfiguration").path("env.java.opts.all").asText())
          .as("the Java 17 opens of the root pom").isEqualTo(pomProperty("flink.add-opens"));
    }
    assertThat(entryClasses).contains(INDEXING_JOB, LATENCY_JOB, WARMING_JOB);

    JsonNode doc = documents(REPO.resolve("deploy/kubernetes/flink-deployment.yaml")).get(0);
    ObjectNode numberNotString = doc.deepCopy();
    ((ObjectNode) numberNotString.path("spec").path("flinkConfiguration")).set("taskmanager.numberOfTaskSlots", IntNode.valueOf(2));
    assertThat(schema.validate(numberNotString)).as("a number where the CRD wants a string").isNotEmpty();
    ObjectNode badEnum = doc.deepCopy();
    ((ObjectNode) badEnum.path("spec").path("job")).put("upgradeMode", "savepoints");
    assertThat(schema.validate(badEnum)).as("an upgradeMode outside the enum").isNotEmpty();
    ObjectNode unknownField = doc.deepCopy();
    ((ObjectNode) unknownField.path("spec").path("job")).put("entrypointClass", INDEXING_JOB);
    assertThat(schema.validate(unknownField)).as("an unknown field (strict field validation)").isNotEmpty();
  }

  /** The Kubernetes clusters run with the same Flink settings as the compose cluster. */
  @Test
  void flinkDeploymentConfigurationAgreesWithFlinkConf() throws Exception {
    Path confFile = REPO.resolve("flink-conf/config.yaml");
    assertThat(confFile).as("flink-conf/config.yaml (from the real-cluster work)").exists();
    Map<String, String> conf = new LinkedHashMap<>();
    flatten("", YAML.readTree(confFile.toFile()), conf);
    for (Manifest manifest : kubernetesManifests("FlinkDeployment")) {
      Path file = manifest.file();
      JsonNode flink = manifest.doc().path("spec").path("flinkConfiguration");
      for (String key : List.of("state.checkpoints.dir", "state.savepoints.dir", "restart-strategy.type",
          "classloader.parent-first-patterns.additional", "metrics.reporter.prom.port")) {
        assertThat(conf).as("flink-conf/config.yaml sets %s", key).containsKey(key);
        assertThat(normalize(flink.path(key).asText())).as("%s %s", file.getFileName(), key)
            .isEqualTo(normalize(conf.get(key)));
      }
      for (Iterator<String> keys = flink.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (conf.containsKey(key) && !key.startsWith("taskmanager.") && !key.startsWith("jobmanager.")
            && !key.equals("env.java.opts.all")) {
          assertThat(normalize(flink.path(key).asText())).as("%s %s", file.getFileName(), key)
              .isEqualTo(normalize(conf.get(key)));
        }
      }
    }
  }

  /** Every document in deploy/kubernetes is of a kind a test here checks, so none goes unchecked. */
  @Test
  void everyKubernetesDocumentIsOfAKindThatIsChecked() throws Exception {
    Map<String, Set<String>> kinds = new TreeMap<>();
    for (Manifest manifest : kubernetesManifests()) {
      kinds.computeIfAbsent(manifest.kind(), k -> new TreeSet<>()).add(manifest.file().getFileName().toString());
    }
    assertThat(kinds).as("kinds in deploy/kubernetes").containsOnlyKeys("FlinkDeployment", "Deployment", "Service");
    assertThat(kinds.get("Deployment")).containsExactly(QUERY_SERVICE_MANIFEST.getFileName().toString());
    assertThat(kinds.get("Service")).containsExactly(QUERY_SERVICE_MANIFEST.getFileName().toString());
  }

  /**
   * deploy/kubernetes/query-service.yaml, a contract test: no Kubernetes runs here, so the manifest
   * is read into fabric8's typed model of the API (a wrong type fails, and so does a field the API
   * does not have, as {@code kubectl apply --validate=strict} would refuse it) and checked against
   * the settings catalogue, the query service's own configuration and docker-compose.yml's
   * query-service (see {@link #queryServiceManifestProblems}).
   */
  @Test
  void queryServiceManifestKnowsEverySettingTakesSecretsFromTheSecretAndAgreesWithCompose() throws Exception {
    assertThat(queryServiceManifestProblems(queryServiceManifest())).as("problems of %s", QUERY_SERVICE_MANIFEST).isEmpty();
    String production = Files.readString(REPO.resolve("docs/PRODUCTION.md"));
    assertThat(production).as("docs/PRODUCTION.md says how to make the Secret").contains(QUERY_SECRET)
        .contains(QUERY_SECRET_KEYS).contains("--scope metrics");
    assertThat(Files.readString(REPO.resolve("docs/SECURITY.md"))).contains(QUERY_SECRET);
    for (Manifest flink : kubernetesManifests("FlinkDeployment")) {
      assertThat(flink.doc().toString()).as("%s keeps to its own Secret", flink.file().getFileName())
          .doesNotContain(QUERY_SECRET);
    }
  }

  /** Each broken copy of the manifest is refused, naming what is wrong, so the check checks something. */
  @Test
  void aWrongQueryServiceManifestIsRefused() throws Exception {
    Map<String, java.util.function.Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
    breakages.put("BRAIN_QUERY_PROT", c -> env(c).addObject().put("name", "BRAIN_QUERY_PROT").put("value", "8080"));
    breakages.put("BRAIN_API_KEYS must be required", c -> envEntry(c, "BRAIN_API_KEYS").put("value", "off"));
    breakages.put("BRAIN_ELASTICSEARCH_PASSWORD is a secret", c -> {
      ObjectNode password = envEntry(c, "BRAIN_ELASTICSEARCH_PASSWORD");
      password.remove("valueFrom");
      password.put("value", "hunter2hunter2");
    });
    breakages.put("meili-master-key", c -> ((ObjectNode) envEntry(c, "BRAIN_REDIS_URI").at("/valueFrom/secretKeyRef"))
        .put("key", "meili-master-key"));
    breakages.put("BRAIN_MEILISEARCH_KEY", c -> env(c).addObject().put("name", "BRAIN_MEILISEARCH_KEY")
        .putObject("valueFrom").putObject("secretKeyRef").put("name", QUERY_SECRET).put("key", "meili-search-key"));
    breakages.put("BRAIN_FUSION", c -> env(c).addObject().put("name", "BRAIN_FUSION").put("value", "borda"));
    breakages.put("readinessProbe", c -> ((ObjectNode) c.at("/readinessProbe/httpGet")).put("path", "/health"));
    breakages.put("readOnlyRootFilesystem", c -> ((ObjectNode) c.get("securityContext")).put("readOnlyRootFilesystem", false));
    breakages.put("securityContxt", c -> c.set("securityContxt", c.get("securityContext")));
    breakages.put("containerPort", c -> ((ObjectNode) c.at("/ports/0")).put("containerPort", "http-port"));
    breakages.put("BRAIN_INDEX", c -> envEntry(c, "BRAIN_INDEX").put("value", "docs"));
    for (var breakage : breakages.entrySet()) {
      List<JsonNode> broken = queryServiceManifest().stream().<JsonNode>map(JsonNode::deepCopy).toList();
      ObjectNode container = (ObjectNode) deployment(broken).at("/spec/template/spec/containers/0");
      breakage.getValue().accept(container);
      assertThat(queryServiceManifestProblems(broken)).as("a manifest with %s", breakage.getKey())
          .anyMatch(problem -> problem.contains(breakage.getKey()));
    }
  }

  /**
   * What is wrong with the query service's manifest, one line each; none when it is right:
   * <ul>
   *   <li>a Deployment and a Service, each read strictly into fabric8's typed model;
   *   <li>every variable is a setting of the catalogue ({@link Setting}), or the JVM's
   *       JAVA_TOOL_OPTIONS; the query service's configuration ({@link QueryConfig#from}) accepts them;
   *   <li>BRAIN_API_KEYS is {@code required};
   *   <li>a secret (a setting the catalogue calls one) comes from a secretKeyRef of the query service's
   *       Secret, never as a literal, and every reference to a Secret names only the keys the query
   *       service may have: no Meilisearch master key, no indexer login;
   *   <li>the Meilisearch key is a file of that Secret, mounted read-only where BRAIN_MEILISEARCH_KEY_FILE
   *       says, as compose mounts the search-only key; BRAIN_MEILISEARCH_KEY is not set;
   *   <li>every variable of docker-compose.yml's query-service, with the same value, except that a
   *       secret compose takes from .env comes from the Secret here (more settings may be added);
   *   <li>the image of compose, two replicas, readiness on /health/ready and liveness on /health/live
   *       (the endpoints that need no key), resources, a non-root user, no privilege escalation, a
   *       read-only root filesystem with /tmp an emptyDir, no service account token.
   * </ul>
   */
  private List<String> queryServiceManifestProblems(List<JsonNode> docs) throws IOException {
    List<String> problems = new ArrayList<>();
    Deployment deployment = strictly(deployment(docs), Deployment.class, problems);
    io.fabric8.kubernetes.api.model.Service service = strictly(docs.stream()
        .filter(d -> d.path("kind").asText().equals("Service")).findFirst().orElseThrow(),
        io.fabric8.kubernetes.api.model.Service.class, problems);
    if (deployment == null || service == null) {
      return problems;
    }
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    check(problems, Integer.valueOf(2).equals(deployment.getSpec().getReplicas()), "replicas: 2");
    check(problems, labels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()),
        "the Deployment's selector matches its pods");
    check(problems, labels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
        "the Service's selector matches the pods");
    check(problems, pod.getContainers().size() == 1, "one container");
    Container container = pod.getContainers().get(0);
    JsonNode compose = services().get("query-service");
    check(problems, container.getImage().equals(compose.path("image").asText()), "the image of compose: " + compose.path("image"));

    Map<String, EnvVar> env = new LinkedHashMap<>();
    container.getEnv().forEach(e -> check(problems, env.put(e.getName(), e) == null, e.getName() + " is set once"));
    Set<String> secretSettings = Stream.of(Setting.values())
        .filter(s -> s.meaning().contains("(a secret)") || s.meaning().contains("is a secret"))
        .map(Setting::variable).collect(Collectors.toCollection(TreeSet::new));
    assertThat(secretSettings).as("the catalogue's secrets").containsExactly("BRAIN_API_KEY",
        "BRAIN_ELASTICSEARCH_PASSWORD", "BRAIN_MEILISEARCH_KEY", "BRAIN_REDIS_URI");
    Map<String, String> literal = new TreeMap<>();
    for (EnvVar e : env.values()) {
      String name = e.getName();
      boolean known = Stream.of(Setting.values()).anyMatch(s -> s.variable().equals(name)) || name.equals("JAVA_TOOL_OPTIONS");
      check(problems, known, name + " is not a setting of the catalogue (Setting)");
      if (e.getValueFrom() == null) {
        literal.put(name, e.getValue());
        check(problems, !secretSettings.contains(name), name + " is a secret: a secretKeyRef, never a literal");
        check(problems, e.getValue() == null || !e.getValue().matches(".*://[^/]*@.*"), name + " holds a login");
      } else {
        SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
        check(problems, ref != null, name + " comes from a Secret, nothing else");
        if (ref != null) {
          checkSecretKey(problems, name, ref.getName(), ref.getKey());
        }
      }
    }
    check(problems, "required".equals(literal.get(Setting.API_KEYS.variable())), "BRAIN_API_KEYS must be required");
    check(problems, !env.containsKey(Setting.MEILISEARCH_KEY.variable()),
        "BRAIN_MEILISEARCH_KEY: the search key is the file of BRAIN_MEILISEARCH_KEY_FILE, as in compose");

    // the Meilisearch key: a file of the Secret, mounted read-only where the setting says
    Path keyFile = Path.of(String.valueOf(literal.get(Setting.MEILISEARCH_KEY_FILE.variable())));
    boolean keyMounted = false;
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElse(null);
      check(problems, volume != null, "the volume of mount " + mount.getName());
      if (volume != null && volume.getSecret() != null) {
        check(problems, Boolean.TRUE.equals(mount.getReadOnly()), mount.getName() + " is mounted read-only");
        for (KeyToPath item : volume.getSecret().getItems()) {
          checkSecretKey(problems, "volume " + volume.getName(), volume.getSecret().getSecretName(), item.getKey());
          keyMounted |= item.getKey().equals("meili-search-key")
              && Path.of(mount.getMountPath()).resolve(item.getPath()).equals(keyFile);
        }
      }
    }
    check(problems, keyMounted, "BRAIN_MEILISEARCH_KEY_FILE is meili-search-key of " + QUERY_SECRET + ", mounted");

    // the same variables and values as compose's, a secret of .env coming from the Secret instead
    Map<String, String> composeEnv = new TreeMap<>();
    compose.path("environment").fields().forEachRemaining(e -> composeEnv.put(e.getKey(), e.getValue().asText()));
    composeEnv.keySet().forEach(name -> check(problems, env.containsKey(name), name + " is set as in compose's query-service"));
    composeEnv.forEach((name, value) -> {
      if (secrets.values().stream().anyMatch(value::contains)) {
        check(problems, env.containsKey(name) && env.get(name).getValueFrom() != null,
            name + " takes a secret in compose, so a secretKeyRef here");
      } else if (env.containsKey(name)) {
        check(problems, value.equals(literal.get(name)), name + " is " + value + " in compose");
      }
    });

    // the query service starts with these settings (the secrets and the key file made up)
    Map<String, String> settings = new TreeMap<>(literal);
    env.values().stream().filter(e -> e.getValueFrom() != null)
        .forEach(e -> settings.put(e.getName(), composeEnv.getOrDefault(e.getName(), "made-up-secret")));
    Path madeUpKey = Files.writeString(Files.createTempFile(tmp, "meilisearch", ".key"), "made-up-search-key");
    settings.put(Setting.MEILISEARCH_KEY_FILE.variable(), madeUpKey.toString());
    try {
      QueryConfig.from(new Settings(settings));
    } catch (IllegalArgumentException e) {
      problems.add("the query service refuses its settings: " + e.getMessage());
    }

    // probes, resources, privileges
    int port = container.getPorts().get(0).getContainerPort();
    check(problems, String.valueOf(port).equals(literal.get(Setting.QUERY_PORT.variable())), "the port is BRAIN_QUERY_PORT");
    check(problems, service.getSpec().getPorts().get(0).getTargetPort().getStrVal() != null
        && service.getSpec().getPorts().get(0).getTargetPort().getStrVal().equals(container.getPorts().get(0).getName()),
        "the Service targets the container's port");
    checkProbe(problems, "readinessProbe", container.getReadinessProbe(), "/health/ready", container);
    checkProbe(problems, "livenessProbe", container.getLivenessProbe(), "/health/live", container);
    for (String resource : List.of("cpu", "memory")) {
      check(problems, container.getResources().getRequests().containsKey(resource)
          && container.getResources().getLimits().containsKey(resource), "requests and limits of " + resource);
    }
    SecurityContext security = container.getSecurityContext();
    check(problems, Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot()), "runAsNonRoot");
    check(problems, Boolean.FALSE.equals(security.getAllowPrivilegeEscalation()), "allowPrivilegeEscalation: false");
    check(problems, !Boolean.TRUE.equals(security.getPrivileged()), "not privileged");
    check(problems, Boolean.TRUE.equals(security.getReadOnlyRootFilesystem()), "readOnlyRootFilesystem");
    check(problems, security.getCapabilities().getDrop().contains("ALL"), "capabilities dropped");
    check(problems, Boolean.FALSE.equals(pod.getAutomountServiceAccountToken()), "no service account token");
    check(problems, container.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")
        && pod.getVolumes().stream().anyMatch(v -> v.getName().equals(m.getName()) && v.getEmptyDir() != null)),
        "/tmp is an emptyDir (ONNX Runtime unpacks its library there)");
    return problems;
  }

  private static void checkSecretKey(List<String> problems, String what, String secret, String key) {
    check(problems, QUERY_SECRET.equals(secret) && QUERY_SECRET_KEYS.contains(key),
        what + " reads " + key + " of Secret " + secret + ": only " + QUERY_SECRET_KEYS + " of " + QUERY_SECRET);
  }

  private static void checkProbe(List<String> problems, String name, Probe probe, String path, Container container) {
    HTTPGetAction get = probe == null ? null : probe.getHttpGet();
    check(problems, get != null && path.equals(get.getPath())
        && container.getPorts().get(0).getName().equals(get.getPort().getStrVal()), name + " is GET " + path + " on port http");
  }

  private static void check(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  private static List<JsonNode> queryServiceManifest() throws IOException {
    return documents(QUERY_SERVICE_MANIFEST);
  }

  private static ObjectNode deployment(List<JsonNode> docs) {
    return (ObjectNode) docs.stream().filter(d -> d.path("kind").asText().equals("Deployment")).findFirst().orElseThrow();
  }

  private static ArrayNode env(ObjectNode container) {
    return (ArrayNode) container.get("env");
  }

  private static ObjectNode envEntry(ObjectNode container, String name) {
    for (JsonNode e : env(container)) {
      if (e.path("name").asText().equals(name)) {
        return (ObjectNode) e;
      }
    }
    return fail("no " + name + " in the container's env");
  }

  /**
   * {@code doc} as fabric8's {@code type}, or null with the problem: a value of the wrong type fails,
   * and so does a field the type does not have (fabric8 would keep it in additionalProperties, as the
   * API server would drop it).
   */
  private static <T> T strictly(JsonNode doc, Class<T> type, List<String> problems) {
    T value;
    try {
      value = YAML.treeToValue(doc, type);
    } catch (JsonMappingException e) {
      problems.add(type.getSimpleName() + " " + e.getPathReference() + ": " + e.getOriginalMessage());
      return null;
    } catch (IOException e) {
      problems.add(type.getSimpleName() + ": " + e.getMessage());
      return null;
    }
    int before = problems.size();
    unknownFields(value, type.getSimpleName(), problems);
    return problems.size() == before ? value : null;
  }

  /** Adds a problem for each field of the model under {@code value} that its type does not declare. */
  private static void unknownFields(Object value, String path, List<String> problems) {
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        unknownFields(list.get(i), path + "[" + i + "]", problems);
      }
    } else if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
    } else if (value != null && value.getClass().getName().startsWith("io.fabric8.")) {
      for (Method getter : value.getClass().getMethods()) {
        JsonProperty property = getter.getAnnotation(JsonProperty.class);
        boolean additional = getter.getName().equals("getAdditionalProperties") && getter.getParameterCount() == 0;
        if (property == null && !additional || getter.getParameterCount() != 0) {
          continue;
        }
        Object field;
        try {
          field = getter.invoke(value);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(getter.toString(), e);
        }
        if (additional) {
          ((Map<?, ?>) field).keySet().forEach(k -> problems.add("unknown field " + path + "." + k));
        } else {
          unknownFields(field, path + "." + property.value(), problems);
        }
      }
    }
  }

  // --- helpers ------------------------------------------------------------------------------

  private static Map<String, JsonNode> services() {
    Map<String, JsonNode> services = new LinkedHashMap<>();
    resolved.path("services").fields().forEachRemaining(e -> services.put(e.getKey(), e.getValue()));
    return services;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void checkInRepo(String what, Path path, List<String> missing) {
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(REPO) || !Files.exists(normalized)) {
      missing.add(what + ": " + REPO.relativize(normalized));
    }
  }

  static Set<String> namedServices(String text) {
    String lower = text.toLowerCase();
    Set<String> named = new TreeSet<>();
    PRODUCT_NAMES.forEach((word, service) -> {
      if (Pattern.compile("(?<![a-z-])" + Pattern.quote(word) + "(?![a-z])").matcher(lower).find()) {
        named.add(service);
      }
    });
    return named;
  }

  private Path copyComposeWith(String text, String original) throws IOException {
    if (original != null) {
      assertThat(text).as("the broken copy differs").isNotEqualTo(original);
    }
    Path dir = Files.createTempDirectory(tmp, "compose");
    Path file = dir.resolve("docker-compose.yml");
    Files.writeString(file, text);
    return file;
  }

  /** One document of a file of deploy/kubernetes. */
  record Manifest(Path file, JsonNode doc) {
    String kind() {
      return doc.path("kind").asText();
    }
  }

  /** Every document of every yaml file in deploy/kubernetes. */
  private static List<Manifest> kubernetesManifests() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(REPO.resolve("deploy/kubernetes"))) {
      files = list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
    }
    List<Manifest> manifests = new ArrayList<>();
    for (Path file : files) {
      documents(file).forEach(doc -> manifests.add(new Manifest(file, doc)));
    }
    return manifests;
  }

  /** The documents of deploy/kubernetes of that {@code kind}. */
  private static List<Manifest> kubernetesManifests(String kind) throws IOException {
    return kubernetesManifests().stream().filter(m -> m.kind().equals(kind)).toList();
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var parser = new YAMLFactory().createParser(file.toFile())) {
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  /**
   * The openAPIV3Schema of the FlinkDeployment CRD in flink-kubernetes-operator-api, made strict
   * the way the API server's strict field validation ({@code kubectl apply --validate=strict}) is:
   * an object with declared properties takes no other field, unless the schema preserves unknown
   * fields or declares additionalProperties itself. (Kubernetes itself would prune an unknown
   * field silently, which is how a typo in a manifest goes unnoticed.)
   */
  private static JsonSchema flinkDeploymentSchema() throws IOException {
    String resource = "META-INF/fabric8/flinkdeployments.flink.apache.org-v1.yml";
    JsonNode crd;
    try (InputStream in = DeploymentFilesTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource + " from flink-kubernetes-operator-api").isNotNull();
      crd = YAML.readTree(in);
    }
    assertThat(crd.path("spec").path("group").asText()).isEqualTo("flink.apache.org");
    assertThat(crd.path("spec").path("names").path("kind").asText()).isEqualTo("FlinkDeployment");
    JsonNode version = null;
    for (JsonNode v : crd.path("spec").path("versions")) {
      if (v.path("name").asText().equals("v1beta1")) {
        version = v;
      }
    }
    assertThat(version).as("CRD version v1beta1").isNotNull();
    ObjectNode schema = version.path("schema").path("openAPIV3Schema").deepCopy();
    // the API server itself checks these three on every object; the CRD's schema leaves them out
    ObjectNode properties = (ObjectNode) schema.get("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    strict(schema);
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(JSON.valueToTree(schema));
  }

  private static void strict(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("properties") && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        object.set("additionalProperties", BooleanNode.FALSE);
      }
      object.forEach(DeploymentFilesTest::strict);
    } else if (node instanceof ArrayNode array) {
      array.forEach(DeploymentFilesTest::strict);
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(n -> items.add(n.asText()));
      out.put(prefix, String.join(";", items));
    } else {
      out.put(prefix, node.asText());
    }
  }

  private static String normalize(String value) {
    return value.trim().replaceAll("\\s+", " ").replaceAll(";$", "");
  }

  private static String pomProperty(String name) throws IOException {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">(.*?)</" + Pattern.quote(name) + ">", Pattern.DOTALL)
        .matcher(Files.readString(REPO.resolve("pom.xml"), StandardCharsets.UTF_8));
    assertThat(m.find()).as("root pom property " + name).isTrue();
    return m.group(1).trim();
  }
}
