package dev.companionbrain.core.index;

import dev.companionbrain.core.config.Setting;
import java.io.Serializable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every writer of the indexing job waits for an engine that is slow, paused or down: capped,
 * jittered exponential back-off ("equal jitter": half the step fixed, half random, so writers that
 * failed together do not retry together) until the engine has been failing for {@code toleranceMillis};
 * then {@link EngineUnavailableException}, logged once with the engine named. Used by the
 * Elasticsearch bulk executor, the Meilisearch writer, the Redis writer and committer and the
 * dead-letter producer, so an outage means the same thing everywhere.
 *
 * <p>One {@link Outage} follows one engine's current trouble: {@link Outage#failed} returns how long to
 * wait before the next try (or throws past the tolerance), {@link Outage#recovered} ends it. The
 * clock and the random source are injected, so the policy is tested without sleeping.
 */
public final class RetryPolicy implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);
  /** The default of {@code BRAIN_ENGINE_OUTAGE_TOLERANCE_MS}. */
  public static final long DEFAULT_TOLERANCE_MILLIS = Long.parseLong(Setting.ENGINE_OUTAGE_TOLERANCE_MS.defaultValue());

  private final long initialMillis;
  private final long maxMillis;
  private final long toleranceMillis;

  public RetryPolicy(long initialMillis, long maxMillis, long toleranceMillis) {
    if (initialMillis <= 0 || maxMillis < initialMillis || toleranceMillis <= 0) {
      throw new IllegalArgumentException("back-off " + initialMillis + ".." + maxMillis + " ms, tolerance " + toleranceMillis);
    }
    this.initialMillis = initialMillis;
    this.maxMillis = maxMillis;
    this.toleranceMillis = toleranceMillis;
  }

  /** 100 ms doubling up to 5 s, for {@code toleranceMillis}. */
  public static RetryPolicy tolerating(long toleranceMillis) {
    return new RetryPolicy(100, 5_000, toleranceMillis);
  }

  public long toleranceMillis() {
    return toleranceMillis;
  }

  /** The wait before retry number {@code attempt} (0-based): in [step/2, step], step = min(max, initial·2^attempt). */
  long delay(int attempt, double random) {
    long step = attempt >= 40 ? maxMillis : Math.min(maxMillis, initialMillis << attempt);
    return step / 2 + (long) (random * (step - step / 2));
  }

  /** Follows trouble with {@code engine} on the wall clock. */
  public Outage outage(String engine) {
    return new Outage(engine, System::currentTimeMillis, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** For tests: an injected clock (ms) and random source in [0, 1). */
  public Outage outage(String engine, LongSupplier clock, java.util.function.DoubleSupplier random) {
    return new Outage(engine, clock, random);
  }

  /** Runs {@code call} until it succeeds, sleeping between tries; past the tolerance throws. */
  public <T> T call(String engine, Attempt<T> call) throws InterruptedException {
    Outage outage = outage(engine);
    while (true) {
      try {
        T result = call.run();
        outage.recovered();
        return result;
      } catch (RuntimeException | java.io.IOException e) {
        Thread.sleep(outage.failed(e));
      }
    }
  }

  /** One try of a write. */
  @FunctionalInterface
  public interface Attempt<T> {
    T run() throws java.io.IOException;
  }

  /** One engine's current run of failures. Not thread-safe: one per writer and engine. */
  public final class Outage {
    private final String engine;
    private final LongSupplier clock;
    private final java.util.function.DoubleSupplier random;
    private long since = -1;
    private int attempts;

    private Outage(String engine, LongSupplier clock, java.util.function.DoubleSupplier random) {
      this.engine = engine;
      this.clock = clock;
      this.random = random;
    }

    /**
     * A try failed: returns the milliseconds to wait before the next one. The first failure of a run
     * is logged (one line, no stack trace); when the engine has been failing for longer than the
     * tolerance (counting the wait), logs once and throws {@link EngineUnavailableException}.
     */
    public long failed(Object cause) {
      long now = clock.getAsLong();
      if (since < 0) {
        since = now;
        LOG.warn("{} unavailable ({}); holding the stream back and retrying for up to {} s", engine, describe(cause),
            toleranceMillis / 1000);
      }
      long wait = delay(attempts++, random.getAsDouble());
      long failingFor = now - since;
      if (failingFor + wait > toleranceMillis) {
        wait = toleranceMillis - failingFor;
        if (wait <= 0) {
          EngineUnavailableException e = new EngineUnavailableException(engine, failingFor, attempts, describe(cause));
          LOG.error(e.getMessage());
          throw e;
        }
      }
      return wait;
    }

    /** The last try succeeded: logs the end of an outage (one line) and starts afresh. */
    public void recovered() {
      if (since >= 0) {
        LOG.info("{} back after {} ms and {} retries", engine, clock.getAsLong() - since, attempts);
      }
      since = -1;
      attempts = 0;
    }

    /** Whether the engine is failing now. */
    public boolean failing() {
      return since >= 0;
    }
  }

  private static String describe(Object cause) {
    if (cause instanceof Throwable t) {
      String m = t.getMessage();
      return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) + "…" : m));
    }
    return String.valueOf(cause);
  }

  /** An engine failed for longer than the tolerance: the job fails, naming it. */
  public static final class EngineUnavailableException extends RuntimeException {
    private final String engine;

    public EngineUnavailableException(String engine, long failingForMillis, int attempts, String lastError) {
      super(engine + " unavailable for " + failingForMillis / 1000 + " s (" + attempts
          + " tries, outage tolerance exceeded; set BRAIN_ENGINE_OUTAGE_TOLERANCE_MS to wait longer): " + lastError,
          null, false, false);
      this.engine = engine;
    }

    public String engine() {
      return engine;
    }
  }
}
