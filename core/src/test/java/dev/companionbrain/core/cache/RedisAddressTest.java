package dev.companionbrain.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisURI;
import org.junit.jupiter.api.Test;

class RedisAddressTest {

  @Test
  void oneHostIsOneRedis() {
    RedisAddress address = RedisAddress.parse("redis://127.0.0.1:6379");
    assertThat(address.cluster()).isFalse();
    assertThat(address.seeds()).singleElement().satisfies(seed -> {
      assertThat(seed.getHost()).isEqualTo("127.0.0.1");
      assertThat(seed.getPort()).isEqualTo(6379);
    });
    assertThat(address).hasToString("Redis 127.0.0.1:6379");
  }

  @Test
  void severalSeedsAreAClusterAndEachTakesTheFirstOnesCredentials() {
    RedisAddress address = RedisAddress.parse("redis://brain-query:s3cret@10.0.0.1:7000, 10.0.0.2:7001,10.0.0.3:7002");
    assertThat(address.cluster()).isTrue();
    assertThat(address.seeds()).extracting(RedisURI::getHost).containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertThat(address.seeds()).extracting(RedisURI::getPort).containsExactly(7000, 7001, 7002);
    for (RedisURI seed : address.seeds()) {
      assertThat(seed.getCredentialsProvider().resolveCredentials().block().getUsername()).isEqualTo("brain-query");
      assertThat(new String(seed.getCredentialsProvider().resolveCredentials().block().getPassword())).isEqualTo("s3cret");
    }
    assertThat(address.toString()).isEqualTo("Redis Cluster 10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002")
        .doesNotContain("s3cret");
  }

  @Test
  void aPasswordWithoutUserAndADatabaseAreKeptForOneRedis() {
    RedisAddress address = RedisAddress.parse("redis://:pw@localhost:6380/2");
    assertThat(address.cluster()).isFalse();
    assertThat(address.seeds().get(0).getDatabase()).isEqualTo(2);
    assertThat(new String(address.seeds().get(0).getCredentialsProvider().resolveCredentials().block().getPassword()))
        .isEqualTo("pw");
  }

  @Test
  void tlsIsKeptOnEverySeed() {
    RedisAddress address = RedisAddress.parse("rediss://a:1,b:2");
    assertThat(address.seeds()).allSatisfy(seed -> assertThat(seed.isSsl()).isTrue());
  }

  @Test
  void badAddressesAreRefusedNamingTheProblemButNeverThePassword() {
    assertThatThrownBy(() -> RedisAddress.parse(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> RedisAddress.parse(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisAddress.parse("http://u:topsecret@h:1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisAddress.parse("redis://u:topsecret@h:1,,h2:2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("host:port").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisAddress.parse("redis://u:topsecret@h:1,:2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisAddress.parse("redis://h:1,h2:")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisAddress.parse("redis://u:topsecret@h:1,h2:2/3")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("database 0").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> RedisAddress.parse("redis://h:notaport")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClusterMayNameDatabaseZero() {
    assertThat(RedisAddress.parse("redis://h:1,h2:2/0").cluster()).isTrue();
    assertThat(RedisAddress.parse("redis://h:1,h2:2/").cluster()).isTrue();
  }

  @Test
  void maskingHidesOnlyThePassword() {
    assertThat(RedisAddress.masked("redis://user:pw@h:1")).isEqualTo("redis://user:****@h:1");
    assertThat(RedisAddress.masked("redis://:pw@h:1")).isEqualTo("redis://:****@h:1");
    assertThat(RedisAddress.masked("redis://h:1")).isEqualTo("redis://h:1");
  }

  @Test
  void anAddressNeedsASeed() {
    assertThatThrownBy(() -> new RedisAddress(java.util.List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
