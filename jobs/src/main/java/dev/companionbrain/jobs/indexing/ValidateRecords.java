package dev.companionbrain.jobs.indexing;

import dev.companionbrain.core.document.DocumentParser;
import dev.companionbrain.core.document.ParseResult;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** Parses and validates each record; refused ones go to the dead-letter side output. Never throws. */
public final class ValidateRecords extends ProcessFunction<SourceRecord, IndexAction> {
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private transient Counter documentsIn;
  private transient Map<dev.companionbrain.core.document.RejectReason, Counter> rejected;

  @Override
  public void open(OpenContext openContext) {
    var group = getRuntimeContext().getMetricGroup();
    documentsIn = group.counter("documents_in");
    rejected = new EnumMap<>(dev.companionbrain.core.document.RejectReason.class);
    for (var reason : dev.companionbrain.core.document.RejectReason.values()) {
      rejected.put(reason, group.addGroup("reason", reason.wireName()).counter("dlq"));
    }
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<IndexAction> out) {
    documentsIn.inc();
    ParseResult result = DocumentParser.parse(record.key, record.value);
    if (result instanceof ParseResult.Valid valid) {
      out.collect(IndexAction.from(valid.change(), record.timestamp).from(record));
    } else if (result instanceof ParseResult.Rejected r) {
      rejected.get(r.reason()).inc();
      ctx.output(DEAD_LETTERS, DeadLetter.of(record, r.reason().wireName(), r.message(), System.currentTimeMillis()));
    }
  }
}
