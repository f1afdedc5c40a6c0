package dev.companionbrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU use from /proc: the machine's (the {@code cpu} line of /proc/stat) and processes' (user + system
 * ticks of /proc/PID/stat, as ScaleRun reads them), so that a missed target can be told apart from a
 * saturated machine. Zeros where /proc is not readable.
 */
final class MachineCpu {
  /** Clock ticks per second of /proc (USER_HZ, 100 on Linux). */
  static final double TICKS_PER_SECOND = 100.0;

  private MachineCpu() {}

  /**
   * The machine's {busy, total, stolen} jiffies so far: total of the cpu line, busy = total - idle -
   * iowait, stolen = the time the hypervisor ran something else while this machine wanted to run
   * (inside busy: a virtual machine's cores are that much slower).
   */
  static long[] machine() {
    try {
      return parseMachine(Files.readAllLines(Path.of("/proc/stat")).get(0));
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0, 0};
    }
  }

  static long[] parseMachine(String cpuLine) {
    String[] f = cpuLine.trim().split("\\s+");
    if (!f[0].equals("cpu")) {
      throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
    }
    long total = 0;
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice)
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
    long stolen = f.length > 8 ? Long.parseLong(f[8]) : 0;
    return new long[] {total - idle, total, stolen};
  }

  /** Share of the machine busy between two {@link #machine()} readings (NaN when no time passed). */
  static double busyShare(long[] before, long[] after) {
    long total = after[1] - before[1];
    return total <= 0 ? Double.NaN : (double) (after[0] - before[0]) / total;
  }

  /** Share of the machine's time the hypervisor took between two {@link #machine()} readings. */
  static double stolenShare(long[] before, long[] after) {
    long total = after[1] - before[1];
    return total <= 0 ? Double.NaN : (double) (after[2] - before[2]) / total;
  }

  /** User + system ticks of the processes so far (those gone count 0). */
  static long processTicks(List<Long> pids) {
    long sum = 0;
    for (long pid : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
      } catch (IOException | RuntimeException gone) {
        // the process ended
      }
    }
    return sum;
  }
}
