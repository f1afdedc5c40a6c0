package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.auth.Scope;
import dev.companionbrain.jobs.indexing.IndexingConfig;
import dev.companionbrain.localstack.LocalStack;
import dev.companionbrain.localstack.LocalStackExtension;
import dev.companionbrain.testsupport.Engines;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The workbench in a real browser: Debian's headless Chromium driven by Selenium through Debian's
 * ChromeDriver (both installed by {@code ./brain test}), against the query service on the real
 * engines, with documents indexed by the real IndexingJob and API keys required. Each view is saved
 * as a screenshot under {@code target/workbench/} (docs/UI.md shows them).
 */
@ExtendWith(LocalStackExtension.class)
class WorkbenchIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Path SHOTS = Path.of("target", "workbench");
  private static final Duration PATIENCE = Duration.ofSeconds(20);
  private static LocalStack stack;
  private static Engines engines;
  private static IndexingConfig indexing;
  private static JobClient job;
  private static QueryService service;
  private static String adminKey;
  private static Path judgements;
  private static Path profiles;
  private ChromeDriver browser;

  @BeforeAll
  static void indexAndStart(LocalStack localStack) throws Exception {
    stack = localStack;
    engines = new Engines(stack.endpoints());
    indexing = IndexingConfig.inNamespace(Engines.freshNamespace(), engines.endpoints.kafkaBootstrapServers(),
        engines.addresses(), 500);
    job = QueryServiceIT.indexCorpus(engines, indexing);
    try (var redis = dev.companionbrain.core.cache.RedisConnector.create(stack.endpoints().redisUri(),
        dev.companionbrain.core.cache.RedisConnector.Options.WRITING)) {
      adminKey = new ApiKeyStore(redis.connect()).create("workbench-it", java.util.Set.of(Scope.ADMIN), null, null, null,
          System.currentTimeMillis()).token();
    }
    judgements = QueryServiceIT.corpusJudgements(Files.createTempDirectory("workbench-judgements"));
    profiles = Files.createTempDirectory("workbench-chromium");
    service = QueryService.start(config(Map.of()));
    Files.createDirectories(SHOTS);
  }

  private static QueryConfig config(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(Map.of("BRAIN_API_KEYS", "required",
        "BRAIN_JUDGEMENTS", judgements.toString()));
    settings.putAll(overrides);
    return QueryServiceIT.configFor(stack.endpoints(), stack.endpoints().redisUri(), indexing, 64, settings);
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (job != null) {
      job.cancel().get();
    }
    if (engines != null) {
      engines.close();
    }
  }

  @BeforeEach
  void openBrowser() throws Exception {
    assertThat(new File("/usr/bin/chromium").canExecute()).as("Debian's chromium at /usr/bin/chromium (./brain test installs it)").isTrue();
    assertThat(new File("/usr/bin/chromedriver").canExecute()).as("Debian's chromium-driver at /usr/bin/chromedriver (./brain test installs it)")
        .isTrue();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    // a closed network: nothing of Chromium's own may try to go out (see the machine notes)
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--user-data-dir=" + Files.createTempDirectory(profiles, "profile"), "--window-size=1280,1000");
    ChromeDriverService driver = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private WebDriverWait waiting() {
    return new WebDriverWait(browser, PATIENCE);
  }

  private void open(QueryService s, String addressWithoutKey) {
    browser.get(s.url() + addressWithoutKey + "#key=" + adminKey);
  }

  private void screenshot(String name) throws Exception {
    Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
  }

  private static JsonNode api(QueryService s, String pathAndQuery) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery))
        .header("Authorization", "Bearer " + adminKey).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  private static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Test
  void aSearchShowsTheHitsWithEachRetrieversPartAndTheAnswersFacts() throws Exception {
    open(service, "/ui");
    // by keyboard alone: the query box has the focus, Enter searches
    WebElement box = waiting().until(ExpectedConditions.elementToBeClickable(By.id("search-q")));
    assertThat(browser.switchTo().activeElement()).isEqualTo(box);
    box.sendKeys("oblique shock wave angle", Keys.ENTER);
    List<WebElement> hits = waiting().until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#search-hits .hit"), 0));
    JsonNode answer = api(service, "/search?q=" + q("oblique shock wave angle") + "&mode=hybrid&explain=true");
    assertThat(hits).hasSize(answer.get("hits").size());
    JsonNode first = answer.at("/hits/0");
    WebElement top = hits.get(0);
    assertThat(top.getAttribute("data-id")).isEqualTo(first.get("id").asText()).isEqualTo("shock");
    assertThat(top.getText()).contains(first.get("title").asText(), first.get("snippet").asText().substring(0, 20), "aero");
    for (String retriever : List.of("text", "keyword", "vector")) {
      WebElement part = top.findElement(By.cssSelector(".part[data-retriever=" + retriever + "]"));
      JsonNode expected = first.at("/explain/" + retriever);
      if (expected.isMissingNode()) {
        assertThat(part.getText()).contains("not found");
      } else {
        assertThat(part.getText()).contains(retriever + " #" + expected.get("rank").asInt());
      }
    }
    assertThat(top.findElements(By.cssSelector(".part.best"))).as("the retriever that ranked it best is marked").isNotEmpty();
    String facts = browser.findElement(By.id("search-answer")).getText();
    assertThat(facts).contains("generation " + answer.get("generation").asLong(), "hits in the window", " ms", "current")
        .containsAnyOf("from L1", "from L2", "computed (not in the cache)");
    // the address carries the query and its settings: reopened, it shows the same answer
    assertThat(browser.getCurrentUrl()).contains("q=oblique+shock+wave+angle").contains("mode=hybrid").doesNotContain(adminKey);
    screenshot("search");
    browser.navigate().refresh();
    waiting().until(ExpectedConditions.attributeToBe(By.cssSelector("#search-hits .hit"), "data-id", "shock"));
    assertThat(browser.findElement(By.id("search-answer")).getText()).contains("from L1");

    // pages move through the candidate window
    open(service, "/ui?view=search&q=" + q("flow") + "&mode=vector&k=3");
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-hits .hit"), 3));
    String firstPage = browser.findElement(By.cssSelector("#search-hits .hit")).getAttribute("data-id");
    browser.findElement(By.id("search-next")).click();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("search-page"), "4–6 of"));
    assertThat(browser.getCurrentUrl()).contains("offset=3");
    JsonNode second = api(service, "/search?q=flow&mode=vector&k=3&offset=3");
    assertThat(browser.findElement(By.cssSelector("#search-hits .hit")).getAttribute("data-id"))
        .isEqualTo(second.at("/hits/0/id").asText()).isNotEqualTo(firstPage);

    // readable on a narrow window: one column, nothing wider than the window
    browser.manage().window().setSize(new Dimension(420, 900));
    Long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertThat(overflow).isLessThanOrEqualTo(0L);
    screenshot("search-narrow");
  }

  @Test
  void aCompareMarksMovedNewAndVanishedHitsWithTheOverlapAndEachSidesNdcg() throws Exception {
    String query = "supersonic flow";
    open(service, "/ui?view=compare&q=" + q(query) + "&a.mode=keyword&b.mode=vector&k=8");
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("compare-summary"), "top-10 overlap"));
    JsonNode a = api(service, "/search?q=" + q(query) + "&mode=keyword&k=8");
    JsonNode b = api(service, "/search?q=" + q(query) + "&mode=vector&k=8");
    List<String> idsA = ids(a);
    List<String> idsB = ids(b);
    List<WebElement> sideB = browser.findElements(By.cssSelector("#b-hits .hit"));
    assertThat(sideB).hasSize(idsB.size());
    int moved = 0;
    for (int i = 0; i < idsB.size(); i++) {
      String id = idsB.get(i);
      WebElement hit = sideB.get(i);
      assertThat(hit.getAttribute("data-id")).isEqualTo(id);
      if (!idsA.contains(id)) {
        assertThat(hit.findElements(By.cssSelector(".mark.appeared"))).as(id + " is new in B").hasSize(1);
      } else if (idsA.indexOf(id) != i) {
        moved++;
        assertThat(hit.findElement(By.cssSelector(".mark.moved")).getText()).as(id + " moved")
            .contains("(A #" + (idsA.indexOf(id) + 1) + ")");
      } else {
        assertThat(hit.findElements(By.cssSelector(".mark.same"))).hasSize(1);
      }
    }
    assertThat(moved).as("this query and these two settings move at least one hit").isPositive();
    for (WebElement hit : browser.findElements(By.cssSelector("#a-hits .hit"))) {
      boolean vanished = !idsB.contains(hit.getAttribute("data-id"));
      assertThat(hit.findElements(By.cssSelector(".mark.vanished"))).hasSize(vanished ? 1 : 0);
    }
    long overlap = idsA.stream().limit(10).filter(id -> idsB.stream().limit(10).toList().contains(id)).count();
    assertThat(browser.findElement(By.id("compare-summary")).getText()).contains("top-10 overlap " + overlap + " of")
        .contains("judged query s1");
    // judged: the relevant hits are marked on both sides and each side has its nDCG@10, as /judgements/score says
    for (String side : List.of("a", "b")) {
      List<String> ids = side.equals("a") ? idsA : idsB;
      JsonNode score = api(service, "/judgements/score?query_id=s1&ids=" + String.join(",", ids));
      String ndcg = browser.findElement(By.cssSelector("#" + side + "-answer .ndcg")).getText();
      assertThat(ndcg).startsWith("nDCG@10 ");
      assertThat(Double.parseDouble(ndcg.substring("nDCG@10 ".length())))
          .isCloseTo(score.get("ndcg_at_10").asDouble(), org.assertj.core.api.Assertions.within(0.0005));
      List<String> marked = new ArrayList<>();
      for (WebElement hit : browser.findElements(By.cssSelector("#" + side + "-hits .hit"))) {
        if (!hit.findElements(By.cssSelector(".mark.relevant")).isEmpty()) {
          marked.add(hit.getAttribute("data-id"));
        }
      }
      assertThat(marked).containsExactlyElementsOf(ids.stream().filter(id -> id.equals("shock") || id.equals("flutter")).toList());
    }
    screenshot("compare");
  }

  @Test
  void aDegradedAnswerSaysWhichRetrieverWasSkippedAndTheStatusViewShowsIt() throws Exception {
    // Meilisearch stopped, as this instance sees it: its address is a port nobody listens on
    String nobody = "http://127.0.0.1:" + dev.companionbrain.localstack.Ports.free();
    try (QueryService withoutMeilisearch = QueryService.start(config(Map.of("BRAIN_MEILISEARCH_URL", nobody)))) {
      open(withoutMeilisearch, "/ui?view=search&q=" + q("oblique shock wave angle"));
      WebElement degraded = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#search-answer .degraded")));
      assertThat(degraded.getText()).startsWith("Degraded answer: text skipped (");
      assertThat(browser.findElements(By.cssSelector("#search-hits .hit"))).isNotEmpty();
      screenshot("degraded");
      browser.findElement(By.id("tab-status")).click();
      WebElement readiness = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#status-body .readiness")));
      assertThat(readiness.getAttribute("data-status")).isEqualTo("degraded");
      assertThat(readiness.getText()).contains("text skipped: meilisearch down");
      String status = browser.findElement(By.id("status-body")).getText();
      assertThat(status).contains("meilisearch", "DOWN", "Circuit breakers", "Generation", "Searches answered by this instance");
      assertThat(browser.getCurrentUrl()).endsWith("/ui?view=status");
      screenshot("status-degraded");
    }
  }

  @Test
  void theStatusViewShowsTheGenerationTheCacheShareAndThePercentiles() throws Exception {
    api(service, "/search?q=" + q("heat transfer pipes"));
    api(service, "/search?q=" + q("heat transfer pipes"));
    open(service, "/ui?view=status");
    WebElement body = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#status-body table")));
    JsonNode status = api(service, "/status");
    assertThat(status.at("/answers/1m/answers").asLong()).isPositive();
    String text = browser.findElement(By.id("status-body")).getText();
    assertThat(text).contains("Readiness: READY", "Generation " + status.at("/generation/current").asLong(), "from cache", "p95");
    assertThat(text).containsPattern("1m \\d+ \\d+(\\.\\d)? %");
    assertThat(body.isDisplayed()).isTrue();
    screenshot("status");
  }

  @Test
  void everyErrorTheApiAnswersIsShownInWords() throws Exception {
    // a bad request: the page says what the service said
    open(service, "/ui?view=search&q=wing&weights=" + q("text:lots"));
    WebElement error = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
    HttpResponse<String> direct = HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + "/search?q=wing&weights="
        + q("text:lots"))).header("Authorization", "Bearer " + adminKey).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode apiError = JSON.readTree(direct.body()).get("error");
    assertThat(direct.statusCode()).isEqualTo(400);
    assertThat(error.getText()).startsWith("The service answered 400 (" + apiError.get("code").asText() + "): ")
        .contains(apiError.get("message").asText());
    screenshot("bad-request");
    // no key: a 401 that says how to get one, and the key field takes the focus
    browser.get(service.url() + "/ui?view=search&q=wing");
    ((JavascriptExecutor) browser).executeScript("sessionStorage.clear();");
    browser.navigate().refresh();
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("error"), "401 (missing_key)"));
    assertThat(browser.findElement(By.id("error")).getText()).contains("./brain up prints one");
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("key");
    // the key typed in, then Enter: the search runs
    browser.findElement(By.id("key")).sendKeys(adminKey, Keys.ENTER);
    waiting().until(ExpectedConditions.numberOfElementsToBeMoreThan(By.cssSelector("#search-hits .hit"), 0));
    assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
    // the tabs answer the arrow keys
    browser.findElement(By.id("tab-search")).sendKeys(Keys.ARROW_RIGHT);
    waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("view-compare")));
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("tab-compare");
  }

  private static List<String> ids(JsonNode answer) {
    List<String> ids = new ArrayList<>();
    answer.get("hits").forEach(h -> ids.add(h.get("id").asText()));
    return ids;
  }
}
