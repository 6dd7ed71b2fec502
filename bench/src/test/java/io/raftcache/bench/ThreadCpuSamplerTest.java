package io.raftcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadCpuSamplerTest {
  @TempDir
  Path proc;

  private void thread(int pid, String process, int tid, String name, long runNanos) throws IOException {
    Path task = Files.createDirectories(proc.resolve(pid + "/task/" + tid));
    Files.writeString(proc.resolve(pid + "/comm"), process + "\n");
    Files.writeString(task.resolve("comm"), name + "\n");
    Files.writeString(task.resolve("schedstat"), runNanos + " 1234 56\n");
  }

  @Test
  void reportsTheThreadsThatRanAtLeastTheMinimumSinceTheLastSample() throws IOException {
    thread(7, "kdamond.0", 7, "kdamond.0", 1_000_000_000L);
    thread(100, "java", 100, "java", 5_000_000L);
    thread(100, "java", 101, "FSMCaller", 9_000_000L);
    Files.createDirectories(proc.resolve("self")); // not a process directory
    ThreadCpuSampler sampler = new ThreadCpuSampler(proc, 5);

    assertThat(sampler.sample(1_000)).isEmpty(); // the first sample is the baseline

    thread(7, "kdamond.0", 7, "kdamond.0", 1_021_500_000L); // ran 21.5 ms
    thread(100, "java", 100, "java", 9_000_000L); // 4 ms: below the minimum
    thread(100, "java", 101, "FSMCaller", 14_000_000L); // exactly 5 ms
    assertThat(sampler.sample(1_020)).containsExactlyInAnyOrder(
        new ThreadCpuSampler.Busy(1_020, 7, "kdamond.0", 7, "kdamond.0", 21.5),
        new ThreadCpuSampler.Busy(1_020, 100, "java", 101, "FSMCaller", 5.0));
  }

  @Test
  void aThreadThatEndedIsForgottenAndOneThatStartedOnlySetsItsBaseline() throws IOException {
    thread(100, "java", 101, "old", 1_000_000L);
    ThreadCpuSampler sampler = new ThreadCpuSampler(proc, 1);
    sampler.sample(0);

    Files.walk(proc.resolve("100/task/101")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    thread(100, "java", 102, "new", 50_000_000L);
    assertThat(sampler.sample(20)).isEmpty();

    thread(100, "java", 102, "new", 52_000_000L);
    assertThat(sampler.sample(40)).containsExactly(new ThreadCpuSampler.Busy(40, 100, "java", 102, "new", 2.0));
  }
}
