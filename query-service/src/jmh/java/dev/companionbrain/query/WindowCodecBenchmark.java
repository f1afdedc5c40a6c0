package dev.companionbrain.query;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The formats a cached window could be kept in, read back into a {@link CandidateWindow}: its JSON
 * (as a String, as Lettuce's String codec hands it over, and as bytes) and Smile, Jackson's binary
 * JSON, which L2 keeps ({@link RedisStore#encode}); and the UTF-8 decoding a String value costs on
 * its own. The window is {@link L2HitBenchmark}'s.
 *
 * <p>Run: {@code ./brain bench micro query-service WindowCodecBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WindowCodecBenchmark {
  private final ObjectMapper json = new ObjectMapper();
  private String jsonText;
  private byte[] jsonBytes;
  private byte[] smileBytes;

  @Setup
  public void setUp() throws Exception {
    CandidateWindow window = L2HitBenchmark.window(new Random(7));
    jsonText = json.writeValueAsString(window);
    jsonBytes = jsonText.getBytes(StandardCharsets.UTF_8);
    smileBytes = RedisStore.encode(window);
    System.out.printf("%njson %,d bytes, smile %,d bytes%n", jsonBytes.length, smileBytes.length);
  }

  @Benchmark
  public CandidateWindow jsonFromString() throws Exception {
    return json.readValue(jsonText, CandidateWindow.class);
  }

  @Benchmark
  public CandidateWindow jsonFromBytes() throws Exception {
    return json.readValue(jsonBytes, CandidateWindow.class);
  }

  @Benchmark
  public CandidateWindow smileFromBytes() throws Exception {
    return RedisStore.decode(smileBytes).orElseThrow();
  }

  @Benchmark
  public String utf8Decode() {
    return new String(jsonBytes, StandardCharsets.UTF_8);
  }
}
