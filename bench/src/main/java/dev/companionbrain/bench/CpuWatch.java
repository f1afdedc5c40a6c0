package dev.companionbrain.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the CPU went during a measured period: samples the machine's busy share every second and
 * reads the CPU time of the query service, the Flink JVMs and this benchmark's JVM at the start and
 * the end ({@link MachineCpu}).
 */
final class CpuWatch {
  /**
   * CPU during a measured period: machine busy share (mean, busiest second, seconds at >= 95 % of
   * those sampled), and the cores each process group used on average.
   */
  record Cpu(double machineMean, double machineMax, int saturatedSeconds, int sampledSeconds, double serviceCores,
      double flinkCores, double benchCores) {
    /** Cores used by the rest of the machine (the engines, other work), of {@code cores}; never negative. */
    double restCores(int cores) {
      return Math.max(0, machineMean * cores - serviceCores - flinkCores - benchCores);
    }
  }

  private final List<Long> servicePids;
  private final List<Long> flinkPids;
  private final long self = ProcessHandle.current().pid();
  private final long began = System.nanoTime();
  private final long[] machineBefore = MachineCpu.machine();
  private final long serviceBefore;
  private final long flinkBefore;
  private final long selfBefore;
  private final List<Double> perSecond = new ArrayList<>();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

  /** Starts watching now. */
  CpuWatch(long servicePid, List<Long> flinkPids) {
    this(List.of(servicePid), flinkPids);
  }

  /** Starts watching now; the service's cores are those of all {@code servicePids} together. */
  CpuWatch(List<Long> servicePids, List<Long> flinkPids) {
    this.servicePids = List.copyOf(servicePids);
    this.flinkPids = flinkPids;
    serviceBefore = MachineCpu.processTicks(this.servicePids);
    flinkBefore = MachineCpu.processTicks(flinkPids);
    selfBefore = MachineCpu.processTicks(List.of(self));
    long[][] last = {machineBefore};
    sampler.scheduleAtFixedRate(() -> {
      long[] now = MachineCpu.machine();
      double busy = MachineCpu.busyShare(last[0], now);
      last[0] = now;
      if (!Double.isNaN(busy)) {
        synchronized (perSecond) {
          perSecond.add(busy);
        }
      }
    }, 1, 1, TimeUnit.SECONDS);
  }

  /** Stops watching: the CPU since the start. */
  Cpu stop() throws InterruptedException {
    sampler.shutdown();
    sampler.awaitTermination(2, TimeUnit.SECONDS);
    double wall = (System.nanoTime() - began) / 1e9;
    double mean = MachineCpu.busyShare(machineBefore, MachineCpu.machine());
    List<Double> samples;
    synchronized (perSecond) {
      samples = List.copyOf(perSecond);
    }
    double max = samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    int saturated = (int) samples.stream().filter(b -> b >= 0.95).count();
    return new Cpu(mean, max, saturated, samples.size(),
        cores(MachineCpu.processTicks(servicePids) - serviceBefore, wall),
        cores(MachineCpu.processTicks(flinkPids) - flinkBefore, wall),
        cores(MachineCpu.processTicks(List.of(self)) - selfBefore, wall));
  }

  private static double cores(long ticks, double wall) {
    return ticks / MachineCpu.TICKS_PER_SECOND / wall;
  }
}
