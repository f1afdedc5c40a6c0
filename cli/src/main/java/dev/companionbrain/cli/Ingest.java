package dev.companionbrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.companionbrain.core.config.Setting;
import dev.companionbrain.core.relevance.CollectionDocument;
import dev.companionbrain.core.relevance.CollectionFormat;
import dev.companionbrain.core.relevance.TestCollection;
import dev.companionbrain.core.relevance.TestCollections;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Pushes documents into topic {@code documents}: JSON lines as they are (key = their id; a line that
 * is not valid JSON is sent too, so the pipeline dead-letters it with a reason), or a whole test
 * collection (SMART like Cranfield, CISI, MED, CACM, TREC qrels or BEIR) converted to documents.
 */
@Command(name = "ingest", description = "Push documents (JSON lines, or a test collection) into Kafka, with progress.")
final class Ingest implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "JSON-lines files, one document per line")
  List<Path> files = new ArrayList<>();

  @Option(names = "--collection", paramLabel = "DIR",
      description = "a test collection folder: SMART (e.g. ../shared/data/cranfield), CISI, MED, CACM, TREC qrels or BEIR")
  Path collection;

  @Option(names = "--format", paramLabel = "FORMAT", converter = Evaluate.FormatConverter.class,
      description = "read --collection as smart, cisi, med, cacm, trec or beir (default: detected from its files)")
  CollectionFormat format;

  @Option(names = "--kafka", description = "bootstrap servers (default: the running ./brain up, or BRAIN_KAFKA_BOOTSTRAP_SERVERS)")
  String kafka;

  @Option(names = "--topic", description = "topic (default: documents)")
  String topic;

  @Option(names = "--tag", description = "extra tag added to every document of a collection (a namespace)")
  String tag;

  @Option(names = "--wait", description = "then wait, with progress, until the indexing job has indexed or dead-lettered "
      + "every record sent (its consumer group has committed past them, which it does once their checkpoint is written)")
  boolean await;

  @Option(names = "--group", description = "the indexing job's consumer group, for --wait (default: the one of ./brain up, "
      + "or BRAIN_INDEXING_GROUP)")
  String group;

  @Option(names = "--wait-minutes", description = "how long --wait waits at most (default: ${DEFAULT-VALUE})", defaultValue = "15")
  int waitMinutes;

  @Override
  public Integer call() throws Exception {
    if (files.isEmpty() && collection == null) {
      System.err.println("nothing to ingest: give JSON-lines files or --collection DIR");
      return 2;
    }
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        System.err.println("cannot read " + f);
        return 2;
      }
    }
    String bootstrap = kafka != null ? kafka : RunningStack.require(Setting.KAFKA_BOOTSTRAP_SERVERS, "kafka");
    String target = topic != null ? topic : RunningStack.get(Setting.DOCUMENTS_TOPIC, "documents_topic").orElse(Setting.DOCUMENTS_TOPIC.defaultValue());
    try (DocumentPublisher publisher = new DocumentPublisher(bootstrap, target)) {
      if (collection != null) {
        TestCollection c = TestCollections.read(collection, format);
        try (ProgressBar bar = bar("collection " + c.name(), c.documents().size())) {
          for (CollectionDocument d : c.documents()) {
            publisher.send(d.id(), collectionDocumentJson(d, tag));
            bar.step();
          }
          publisher.flush();
        }
      }
      for (Path f : files) {
        long lines;
        try (var stream = Files.lines(f, StandardCharsets.UTF_8)) {
          lines = stream.filter(l -> !l.isBlank()).count();
        }
        try (ProgressBar bar = bar(f.getFileName().toString(), lines);
            BufferedReader reader = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          String line;
          while ((line = reader.readLine()) != null) {
            if (line.isBlank()) {
              continue;
            }
            publisher.send(idOf(line), line);
            bar.step();
          }
          publisher.flush();
        }
      }
      System.out.printf("sent %d records to %s (%d failed)%n", publisher.sent(), target, publisher.failed());
      if (publisher.failed() > 0) {
        return 1;
      }
      if (await) {
        String consumerGroup = group != null ? group
            : RunningStack.get(Setting.INDEXING_GROUP, "indexing_group").orElse(Setting.INDEXING_GROUP.defaultValue());
        return awaitIndexed(bootstrap, consumerGroup, publisher.ends(), publisher.sent()) ? 0 : 1;
      }
      return 0;
    }
  }

  /**
   * Waits until {@code group} has committed past every record sent ({@code ends}: the next offset
   * after the last record sent, per partition), showing how many of the sent records are done.
   */
  private boolean awaitIndexed(String bootstrap, String consumerGroup, Map<TopicPartition, Long> ends, long sent)
      throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofMinutes(waitMinutes).toNanos();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        ProgressBar bar = bar("indexed or dead-lettered", sent)) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(consumerGroup).partitionsToOffsetAndMetadata().get();
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
          OffsetAndMetadata at = committed.get(end.getKey());
          behind += Math.max(0, end.getValue() - (at == null ? 0 : at.offset()));
        }
        bar.stepTo(Math.max(0, sent - behind));
        if (behind == 0) {
          return true;
        }
        if (System.nanoTime() > deadline) {
          System.err.printf("%d records not indexed after %d minutes: is the indexing job (group %s) running?%n",
              behind, waitMinutes, consumerGroup);
          return false;
        }
        Thread.sleep(250); // polling the group's committed offsets, as an operator's tool does
      }
    }
  }

  private static ProgressBar bar(String name, long total) {
    return new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(200).build();
  }

  /**
   * The record key of a line: its id, or the empty key when it has none to read. The documents topic is
   * compacted and refuses a record without a key; with the empty one, the pipeline dead-letters the
   * line as it is (missing id, malformed JSON), so nothing sent is lost.
   */
  static String idOf(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      JsonNode id = node == null ? null : node.get("id");
      return id != null && id.isTextual() ? id.asText() : "";
    } catch (Exception e) {
      return "";
    }
  }

  static String collectionDocumentJson(CollectionDocument d, String tag) throws Exception {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("op", "upsert");
    doc.put("id", d.id());
    doc.put("title", d.title());
    doc.put("body", d.body());
    doc.put("tags", tag == null ? List.of() : List.of(tag));
    return JSON.writeValueAsString(doc);
  }
}
