package dev.companionbrain.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A cluster id starting with '-' made "kafka-storage format -t <id>" fail ("expected one argument"). */
class KafkaClusterIdRegressionTest {
  @Test
  void clusterIdsNeverStartWithADash() {
    Random random = new Random(1);
    int dashFirstDraws = 0;
    for (int i = 0; i < 5_000; i++) {
      String id = KafkaBroker.clusterId(random);
      assertThat(id).hasSize(22).doesNotStartWith("-").matches("[A-Za-z0-9_-]+");
    }
    // the raw encoding does start with '-' about once in 64 draws, so the loop above really exercised the redraw
    Random raw = new Random(1);
    for (int i = 0; i < 5_000; i++) {
      byte[] b = new byte[16];
      raw.nextBytes(b);
      if (java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b).startsWith("-")) {
        dashFirstDraws++;
      }
    }
    assertThat(dashFirstDraws).isPositive();
  }
}
