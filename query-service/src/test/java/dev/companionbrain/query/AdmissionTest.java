package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AdmissionTest {
  @Test
  void aClientOverItsShareIsRefusedWhileAnotherIsServed() {
    Admission admission = new Admission(10, 2);
    admission.admit("ip:a");
    admission.admit("ip:a");
    assertThatThrownBy(() -> admission.admit("ip:a"))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.code()).isEqualTo("too_many_requests");
          assertThat(e.getMessage()).contains("this client");
        });
    admission.admit("ip:b");
    assertThat(admission.running("ip:a")).isEqualTo(2);
    assertThat(admission.running("ip:b")).isEqualTo(1);
  }

  @Test
  void theTotalStillBoundsEveryClientTogetherAndARefusalHoldsNothing() {
    Admission admission = new Admission(3, 2);
    admission.admit("ip:a");
    admission.admit("ip:b");
    admission.admit("ip:c");
    assertThatThrownBy(() -> admission.admit("ip:d")).hasMessageContaining("the service");
    assertThat(admission.running("ip:d")).isZero();
    admission.release("ip:c");
    admission.admit("ip:d");
  }

  @Test
  void releasingForgetsIdleClients() {
    Admission admission = new Admission(10, 2);
    for (int i = 0; i < 1000; i++) {
      admission.release(admission.admit("ip:" + i));
    }
    assertThat(admission.clients()).isZero();
    admission.admit("ip:a");
    admission.admit("ip:a");
    admission.release("ip:a");
    admission.admit("ip:a");
    assertThat(admission.running("ip:a")).isEqualTo(2);
  }
}
