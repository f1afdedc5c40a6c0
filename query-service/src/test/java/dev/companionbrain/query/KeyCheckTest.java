package dev.companionbrain.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.auth.ApiKey;
import dev.companionbrain.core.auth.ApiKeyTokens;
import dev.companionbrain.core.auth.Scope;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The key check with an in-memory store, a ticker and a clock the test moves. */
class KeyCheckTest {
  private final Map<String, ApiKey> store = new HashMap<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private final AtomicLong nanos = new AtomicLong();
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private boolean storeDown;
  private final KeyCheck check = new KeyCheck(true, hash -> {
    lookups.incrementAndGet();
    if (storeDown) {
      throw new IllegalStateException("redis away");
    }
    return Optional.ofNullable(store.get(hash));
  }, nanos::get, millis::get);

  private String key(Set<Scope> scopes, List<String> tenant, Integer share, Long expiresAt) {
    String token = ApiKeyTokens.generate();
    ApiKey key = new ApiKey(ApiKeyTokens.idOf(token), ApiKeyTokens.hash(token), "team", scopes, tenant, share,
        millis.get(), expiresAt, null);
    store.put(key.hash(), key);
    return token;
  }

  private static ApiException error(Runnable call) {
    try {
      call.run();
    } catch (ApiException e) {
      return e;
    }
    throw new AssertionError("no error");
  }

  @Test
  void aValidKeyIsItsOwnClientWithItsTenantAndShare() {
    String token = key(Set.of(Scope.SEARCH), List.of("t1", "t2"), 3, null);
    KeyCheck.Caller caller = check.check("Bearer " + token, "10.0.0.1", Scope.SEARCH);
    assertThat(caller.client()).isEqualTo("key:" + ApiKeyTokens.idOf(token));
    assertThat(caller.tenantTags()).containsExactly("t1", "t2");
    assertThat(caller.share(16)).isEqualTo(3);
    assertThat(check.check("bearer  " + token + " ", "10.0.0.2", Scope.SEARCH).client()).isEqualTo(caller.client());
  }

  @Test
  void aKeyWithoutShareOrTenantTakesTheDefaults() {
    KeyCheck.Caller caller = check.check("Bearer " + key(Set.of(Scope.ADMIN), null, null, null), "x", Scope.METRICS);
    assertThat(caller.tenantTags()).isNull();
    assertThat(caller.share(16)).isEqualTo(16);
  }

  @Test
  void keysOffLetEveryoneInByAddress() {
    KeyCheck off = new KeyCheck(false, hash -> {
      throw new AssertionError("no lookup when keys are off");
    }, nanos::get, millis::get);
    KeyCheck.Caller caller = off.check(null, "10.0.0.9", Scope.ADMIN);
    assertThat(caller.client()).isEqualTo("ip:10.0.0.9");
    assertThat(caller.key()).isNull();
    assertThat(caller.tenantTags()).isNull();
    assertThat(caller.share(5)).isEqualTo(5);
    assertThat(off.required()).isFalse();
    assertThat(check.required()).isTrue();
  }

  @Test
  void missingMalformedAndUnknownKeysAre401() {
    assertThat(error(() -> check.check(null, "x", Scope.SEARCH)).code()).isEqualTo("missing_key");
    assertThat(error(() -> check.check("  ", "x", Scope.SEARCH)).code()).isEqualTo("missing_key");
    String token = key(Set.of(Scope.SEARCH), null, null, null);
    assertThat(error(() -> check.check("Basic " + token, "x", Scope.SEARCH)).code()).isEqualTo("invalid_key");
    assertThat(error(() -> check.check("Bearer ", "x", Scope.SEARCH)).code()).isEqualTo("invalid_key");
    assertThat(error(() -> check.check("Bearer cb_zz", "x", Scope.SEARCH)).code()).isEqualTo("invalid_key");
    assertThat(error(() -> check.check("Bearer " + "x".repeat(300), "x", Scope.SEARCH)).code()).isEqualTo("invalid_key");
    ApiException unknown = error(() -> check.check("Bearer " + ApiKeyTokens.generate(), "x", Scope.SEARCH));
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.code()).isEqualTo("invalid_key");
    assertThat(lookups).hasValue(1); // malformed ones never reach the store
  }

  @Test
  void anExpiredKeyIs401FromTheInstantItExpires() {
    String token = key(Set.of(Scope.SEARCH), null, null, millis.get() + 10);
    check.check("Bearer " + token, "x", Scope.SEARCH);
    millis.addAndGet(9);
    check.check("Bearer " + token, "x", Scope.SEARCH);
    millis.addAndGet(1);
    ApiException expired = error(() -> check.check("Bearer " + token, "x", Scope.SEARCH));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.code()).isEqualTo("expired_key");
  }

  @Test
  void aScopeTheKeyLacksIs403AndAdminHasEvery() {
    String token = key(Set.of(Scope.SEARCH), null, null, null);
    ApiException forbidden = error(() -> check.check("Bearer " + token, "x", Scope.METRICS));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.code()).isEqualTo("insufficient_scope");
    assertThat(forbidden.getMessage()).contains("metrics").doesNotContain(token);
    String admin = key(Set.of(Scope.ADMIN), null, null, null);
    for (Scope scope : Scope.values()) {
      assertThat(check.check("Bearer " + admin, "x", scope).key().id()).isEqualTo(ApiKeyTokens.idOf(admin));
    }
  }

  @Test
  void aRevokedKeyStopsWorkingWithinTheRecheckTime() {
    String token = key(Set.of(Scope.SEARCH), null, null, null);
    check.check("Bearer " + token, "x", Scope.SEARCH);
    ApiKey key = store.get(ApiKeyTokens.hash(token));
    store.put(key.hash(), key.revokedAt(millis.get()));
    nanos.addAndGet(KeyCheck.RECHECK.toNanos() - 1);
    check.check("Bearer " + token, "x", Scope.SEARCH); // still trusted: looked up less than RECHECK ago
    assertThat(lookups).hasValue(1);
    nanos.addAndGet(1);
    ApiException revoked = error(() -> check.check("Bearer " + token, "x", Scope.SEARCH));
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.code()).isEqualTo("revoked_key");
    assertThat(lookups).hasValue(2);
  }

  @Test
  void aWrongKeyIsRememberedAsWrongAndAStoreFailureIs503() {
    String wrong = ApiKeyTokens.generate();
    error(() -> check.check("Bearer " + wrong, "x", Scope.SEARCH));
    error(() -> check.check("Bearer " + wrong, "x", Scope.SEARCH));
    assertThat(lookups).hasValue(1);
    storeDown = true;
    ApiException down = error(() -> check.check("Bearer " + ApiKeyTokens.generate(), "x", Scope.SEARCH));
    assertThat(down.status()).isEqualTo(503);
    assertThat(down.code()).isEqualTo("key_store_unavailable");
  }

  @Test
  void whileTheStoreIsAwayAKeyFoundBeforeStillWorksForTheKnownTime() {
    String token = key(Set.of(Scope.SEARCH), null, null, null);
    check.check("Bearer " + token, "x", Scope.SEARCH);
    storeDown = true;
    nanos.addAndGet(KeyCheck.RECHECK.toNanos());
    assertThat(check.check("Bearer " + token, "x", Scope.SEARCH).key().id()).isEqualTo(ApiKeyTokens.idOf(token));
    nanos.addAndGet(KeyCheck.KNOWN.toNanos());
    assertThat(error(() -> check.check("Bearer " + token, "x", Scope.SEARCH)).status()).isEqualTo(503);
  }

  @Test
  void aKeyFoundGoneIsNoLongerKnownWhenTheStoreGoesAway() {
    String token = key(Set.of(Scope.SEARCH), null, null, null);
    check.check("Bearer " + token, "x", Scope.SEARCH);
    nanos.addAndGet(KeyCheck.RECHECK.toNanos());
    storeDown = false;
    store.clear();
    assertThat(error(() -> check.check("Bearer " + token, "x", Scope.SEARCH)).code()).isEqualTo("invalid_key");
    storeDown = true;
    nanos.addAndGet(KeyCheck.RECHECK.toNanos());
    assertThat(error(() -> check.check("Bearer " + token, "x", Scope.SEARCH)).status()).isEqualTo(503);
  }

  @Test
  void theBearerSchemeInAnyCaseWithinTheLengthLimit() {
    assertThat(KeyCheck.bearer("Bearer x")).isEqualTo("x");
    assertThat(KeyCheck.bearer("BEARER  y ")).isEqualTo("y");
    assertThat(KeyCheck.bearer("Bearer")).isNull();
    assertThat(KeyCheck.bearer("Bearer  ")).isNull();
    assertThat(KeyCheck.bearer("Token abcdef")).isNull();
    assertThat(KeyCheck.bearer("Bearer " + "a".repeat(193))).hasSize(193); // 200 characters in all
    assertThat(KeyCheck.bearer("Bearer " + "a".repeat(194))).isNull();
  }

  @Test
  void tenantTagsBoundEverySearch() {
    KeyCheck.Caller tenant = check.check("Bearer " + key(Set.of(Scope.SEARCH), List.of("t1", "t2"), null, null), "x",
        Scope.SEARCH);
    assertThat(SearchHandler.tagsFor(tenant, List.of())).containsExactly("t1", "t2");
    assertThat(SearchHandler.tagsFor(tenant, List.of("t2"))).containsExactly("t2");
    ApiException other = error(() -> SearchHandler.tagsFor(tenant, List.of("t2", "t3")));
    assertThat(other.status()).isEqualTo(403);
    assertThat(other.code()).isEqualTo("tag_not_allowed");
    assertThat(other.getMessage()).contains("t3");
    KeyCheck.Caller everyone = check.check("Bearer " + key(Set.of(Scope.SEARCH), null, null, null), "x", Scope.SEARCH);
    assertThat(SearchHandler.tagsFor(everyone, List.of())).isEmpty();
    assertThat(SearchHandler.tagsFor(everyone, List.of("t3"))).containsExactly("t3");
  }
}
