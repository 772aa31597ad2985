package dev.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Readings of a process from /proc (CPU time, RSS) and, for a JVM, its heap through jcmd. */
final class Proc {
  private Proc() {}

  /** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
  static final long HZ = 100;

  /** utime + stime of the process (all threads) in microseconds. */
  static long cpuMicros(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields after "(comm) ": state is index 0, utime is field 14 -> index 11, stime index 12
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1_000_000L / HZ;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long selfCpuMicros() {
    return cpuMicros(ProcessHandle.current().pid());
  }

  /** VmRSS in KiB, or -1. */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  /** Heap in use after a full GC, in KiB, via jcmd; -1 when not a JVM or jcmd fails. */
  static long heapAfterGcKib(long pid) {
    try {
      run(List.of("jcmd", Long.toString(pid), "GC.run"));
      String out = run(List.of("jcmd", Long.toString(pid), "GC.heap_info"));
      Matcher m = USED.matcher(out);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    return new String(out);
  }
}
