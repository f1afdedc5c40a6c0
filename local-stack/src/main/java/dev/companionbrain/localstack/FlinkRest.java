package dev.companionbrain.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The REST API of a Flink 1.20 cluster (the one the web UI uses): upload and run a jar, list jobs,
 * savepoints, stop-with-savepoint, cancel, checkpoints and metrics. A refusal of the cluster throws
 * a {@link FlinkRestException} whose message is one line: what was asked, and Flink's root cause.
 */
public final class FlinkRest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A job as the cluster lists it. */
  public record Job(String id, String name, String state, long startTime) {}

  /** A refusal of the cluster; the message is one line ending in Flink's root cause. */
  public static final class FlinkRestException extends RuntimeException {
    public FlinkRestException(String message) {
      super(message);
    }
  }

  public FlinkRest(String restUrl) {
    this.base = restUrl.endsWith("/") ? restUrl.substring(0, restUrl.length() - 1) : restUrl;
  }

  public String url() {
    return base;
  }

  /** Uploads a job jar ({@code POST /jars/upload}); returns the jar id for {@link #run}. */
  public String uploadJar(Path jar) {
    String boundary = "----brain" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
          + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
      body.write(Files.readAllBytes(jar));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + jar, e);
    }
    JsonNode answer = send("upload of " + jar.getFileName(), HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .timeout(Duration.ofMinutes(2))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    String file = answer.path("filename").asText();
    return file.substring(file.lastIndexOf('/') + 1);
  }

  /**
   * Runs an uploaded jar ({@code POST /jars/{id}/run}); the job's {@code main()} runs in the
   * JobManager, so a bad setting fails here with the job's own message.
   *
   * @param savepointPath null to start fresh
   * @return the job id
   */
  public String run(String jarId, String entryClass, List<String> args, int parallelism, String savepointPath,
      boolean allowNonRestoredState) {
    ObjectNode request = JSON.createObjectNode();
    request.put("entryClass", entryClass);
    request.putPOJO("programArgsList", args);
    request.put("parallelism", parallelism);
    if (savepointPath != null) {
      request.put("savepointPath", savepointPath);
      request.put("allowNonRestoredState", allowNonRestoredState);
    }
    String simpleName = entryClass.substring(entryClass.lastIndexOf('.') + 1);
    return send("run of " + simpleName, post("/jars/" + jarId + "/run", request).timeout(Duration.ofMinutes(3)))
        .path("jobid").asText();
  }

  /** Every job the cluster knows ({@code /jobs/overview}), newest first. */
  public List<Job> jobs() {
    List<Job> jobs = new ArrayList<>();
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      jobs.add(new Job(j.path("jid").asText(), j.path("name").asText(), j.path("state").asText(),
          j.path("start-time").asLong()));
    }
    jobs.sort((a, b) -> Long.compare(b.startTime(), a.startTime()));
    return jobs;
  }

  /** The newest job that is not finished, cancelled or failed, by name or id. */
  public Optional<Job> activeJob(String nameOrId) {
    return jobs().stream().filter(j -> j.name().equals(nameOrId) || j.id().equals(nameOrId))
        .filter(j -> !List.of("FINISHED", "CANCELED", "FAILED").contains(j.state())).findFirst();
  }

  /** {@code RUNNING}, {@code RESTARTING}, {@code FAILED}, … */
  public String state(String jobId) {
    return get("/jobs/" + jobId).path("state").asText();
  }

  /** Checkpoints completed so far ({@code /jobs/{id}/checkpoints}). */
  public long completedCheckpoints(String jobId) {
    return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
  }

  /** How often the job restarted after a failure (the {@code numRestarts} metric). */
  public long restarts(String jobId) {
    for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
      return m.path("value").asLong();
    }
    return 0;
  }

  /** The root causes of the job's failures so far ({@code /jobs/{id}/exceptions}), one line each. */
  public List<String> exceptions(String jobId) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
      out.add(e.path("exceptionName").asText() + ": " + firstLine(e.path("stacktrace").asText()));
    }
    return out;
  }

  /**
   * The sum over all subtasks of an operator metric, e.g. {@code documents_embedded}, on the vertex
   * whose name contains {@code vertexName}; 0 while the metric is not reported yet.
   */
  public long operatorMetric(String jobId, String vertexName, String metric) {
    String vertex = null;
    for (JsonNode v : get("/jobs/" + jobId).path("vertices")) {
      if (v.path("name").asText().contains(vertexName)) {
        vertex = v.path("id").asText();
      }
    }
    if (vertex == null) {
      throw new FlinkRestException("job " + jobId + " has no vertex named like '" + vertexName + "'");
    }
    String path = "/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics";
    String id = null;
    for (JsonNode m : get(path)) {
      String name = m.path("id").asText();
      if (name.equals(metric) || name.endsWith("." + metric)) {
        id = name;
      }
    }
    if (id == null) {
      return 0;
    }
    for (JsonNode m : get(path + "?agg=sum&get=" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8))) {
      return (long) m.path("sum").asDouble();
    }
    return 0;
  }

  /** Triggers a savepoint and waits for it; returns its location. */
  public String savepoint(String jobId, String targetDirectory, Duration timeout) {
    ObjectNode request = JSON.createObjectNode();
    if (targetDirectory != null) {
      request.put("target-directory", targetDirectory);
    }
    request.put("cancel-job", false);
    String trigger = send("savepoint of " + jobId, post("/jobs/" + jobId + "/savepoints", request)).path("request-id").asText();
    return awaitSavepoint(jobId, trigger, timeout);
  }

  /**
   * Stop-with-savepoint (no drain: the job can go on from it); waits for the savepoint and then for the job to
   * be FINISHED (Flink reports the savepoint complete a moment before the job ends, and a successor started in
   * that moment would run beside it), and returns the savepoint's location.
   */
  public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) {
    long began = System.nanoTime();
    ObjectNode request = JSON.createObjectNode();
    if (targetDirectory != null) {
      request.put("targetDirectory", targetDirectory);
    }
    request.put("drain", false);
    String trigger = send("stop of " + jobId, post("/jobs/" + jobId + "/stop", request)).path("request-id").asText();
    String location = awaitSavepoint(jobId, trigger, timeout);
    awaitState(jobId, "FINISHED", timeout.minusNanos(System.nanoTime() - began));
    return location;
  }

  private String awaitSavepoint(String jobId, String trigger, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
      if ("COMPLETED".equals(status.path("status").path("id").asText())) {
        JsonNode op = status.path("operation");
        if (op.hasNonNull("failure-cause")) {
          throw new FlinkRestException("savepoint of " + jobId + " failed: "
              + rootCause(op.path("failure-cause").path("stack-trace").asText(op.path("failure-cause").toString())));
        }
        return op.path("location").asText();
      }
      if (System.nanoTime() > deadline) {
        throw new FlinkRestException("savepoint of " + jobId + " not done after " + timeout.toSeconds() + " s");
      }
      pause();
    }
  }

  /** Cancels a job ({@code PATCH /jobs/{id}?mode=cancel}) without waiting for it to end. */
  public void cancel(String jobId) {
    send("cancel of " + jobId, HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  /** Waits until the job is in {@code state} (e.g. RUNNING with all tasks deployed is not implied). */
  public void awaitState(String jobId, String state, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!state.equals(state(jobId))) {
      if (System.nanoTime() > deadline) {
        throw new FlinkRestException("job " + jobId + " is " + state(jobId) + ", not " + state + ", after "
            + timeout.toSeconds() + " s");
      }
      pause();
    }
  }

  public JsonNode get(String path) {
    return send("GET " + path, HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private HttpRequest.Builder post(String path, JsonNode body) {
    try {
      return HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode send(String what, HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FlinkRestException(what + " failed: no answer from the Flink cluster at " + base + " (" + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlinkRestException(what + " interrupted");
    }
    JsonNode body;
    try {
      body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new FlinkRestException(what + " failed: HTTP " + response.statusCode() + ", " + firstLine(response.body()));
    }
    if (response.statusCode() / 100 != 2) {
      StringBuilder errors = new StringBuilder();
      body.path("errors").forEach(e -> errors.append(e.asText()).append('\n'));
      throw new FlinkRestException(what + " failed: " + rootCause(errors.length() == 0
          ? "HTTP " + response.statusCode() : errors.toString()));
    }
    return body;
  }

  /**
   * The innermost cause of a Java stack trace as Flink sends it (the last {@code Caused by:}), without
   * the exception class when it carries a message.
   */
  static String rootCause(String trace) {
    String cause = firstLine(trace);
    for (String line : trace.split("\n")) {
      if (line.startsWith("Caused by: ")) {
        cause = line.substring("Caused by: ".length());
      }
    }
    var withClass = java.util.regex.Pattern.compile("^[\\w.$]+(Exception|Error|Throwable)[\\w$]*: (.+)$").matcher(cause.strip());
    return withClass.matches() ? withClass.group(2) : cause.strip();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static void pause() {
    try {
      Thread.sleep(200); // polling the cluster for an asynchronous operation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FlinkRestException("interrupted");
    }
  }
}
