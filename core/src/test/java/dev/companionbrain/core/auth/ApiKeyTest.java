package dev.companionbrain.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private static ApiKey key(Set<Scope> scopes, List<String> tenant, Integer share, Long expiresAt) {
    return new ApiKey("0123456789ab", "h", "team", scopes, tenant, share, 1L, expiresAt, null);
  }

  @Test
  void tokensHaveOneFormAndOnlyTheirHashIsKept() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String token = ApiKeyTokens.generate();
      assertThat(token).matches("cb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
      assertThat(ApiKeyTokens.idOf(token)).isEqualTo(token.substring(3, 15));
      assertThat(ApiKeyTokens.hash(token)).hasSize(64).isEqualTo(ApiKeyTokens.hash(token)).doesNotContain(token.substring(16));
      assertThat(seen.add(token)).isTrue();
    }
    assertThat(ApiKeyTokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void anythingElseHasNoId() {
    String token = ApiKeyTokens.generate();
    assertThat(ApiKeyTokens.idOf(null)).isNull();
    assertThat(ApiKeyTokens.idOf(token.substring(1))).isNull();
    assertThat(ApiKeyTokens.idOf(token + "x")).isNull();
    assertThat(ApiKeyTokens.idOf("xx" + token.substring(2))).isNull();
    assertThat(ApiKeyTokens.idOf(token.substring(0, 15) + "-" + token.substring(16))).isNull();
    assertThat(ApiKeyTokens.idOf("cb_0123456789aZ_" + token.substring(16))).isNull();
    assertThat(ApiKeyTokens.idOf("cb_0123456789aF_" + token.substring(16))).isEqualTo("0123456789aF");
  }

  @Test
  void scopesAdminAllowsEverything() {
    ApiKey search = key(Set.of(Scope.SEARCH), null, null, null);
    assertThat(search.allows(Scope.SEARCH)).isTrue();
    assertThat(search.allows(Scope.METRICS)).isFalse();
    assertThat(search.allows(Scope.ADMIN)).isFalse();
    ApiKey admin = key(Set.of(Scope.ADMIN), null, null, null);
    for (Scope s : Scope.values()) {
      assertThat(admin.allows(s)).isTrue();
    }
    assertThat(Scope.fromWire("documents")).isEqualTo(Scope.DOCUMENTS);
    assertThatThrownBy(() -> Scope.fromWire("Search")).hasMessageContaining("search, documents, metrics or admin");
  }

  @Test
  void expiryAndRevocation() {
    ApiKey key = key(Set.of(Scope.SEARCH), null, null, 100L);
    assertThat(key.expiredAt(99)).isFalse();
    assertThat(key.expiredAt(100)).isTrue();
    assertThat(key(Set.of(Scope.SEARCH), null, null, null).expiredAt(Long.MAX_VALUE)).isFalse();
    assertThat(key.revoked()).isFalse();
    ApiKey revoked = key.revokedAt(50);
    assertThat(revoked.revoked()).isTrue();
    assertThat(revoked.revokedAt()).isEqualTo(50);
    assertThat(revoked.id()).isEqualTo(key.id());
    assertThat(revoked.expiresAt()).isEqualTo(100);
  }

  @Test
  void invalidKeysAreRefusedWithTheirReason() {
    assertThatThrownBy(() -> new ApiKey(null, "h", "n", Set.of(Scope.SEARCH), null, null, 1L, null, null))
        .hasMessageContaining("id and a hash");
    assertThatThrownBy(() -> new ApiKey("i", " ", "n", Set.of(Scope.SEARCH), null, null, 1L, null, null))
        .hasMessageContaining("id and a hash");
    assertThatThrownBy(() -> new ApiKey("i", "h", "", Set.of(Scope.SEARCH), null, null, 1L, null, null))
        .hasMessageContaining("name");
    assertThatThrownBy(() -> new ApiKey("i", "h", "n".repeat(101), Set.of(Scope.SEARCH), null, null, 1L, null, null))
        .hasMessageContaining("name");
    assertThat(new ApiKey("i", "h", "n".repeat(100), Set.of(Scope.SEARCH), null, null, 1L, null, null).name()).hasSize(100);
    assertThatThrownBy(() -> key(Set.of(), null, null, null)).hasMessageContaining("at least one scope");
    assertThatThrownBy(() -> key(Set.of(Scope.SEARCH), List.of(), null, null)).hasMessageContaining("at least one tag");
    assertThatThrownBy(() -> key(Set.of(Scope.SEARCH), null, 0, null)).hasMessageContaining("at least 1");
    assertThat(key(Set.of(Scope.SEARCH), null, 1, null).maxConcurrent()).isEqualTo(1);
    assertThat(key(Set.of(Scope.SEARCH), List.of("a", "a", "b"), null, null).tenantTags()).containsExactly("a", "b");
  }

  @Test
  void itsJsonIsSnakeCaseWithoutAbsentFieldsAndReadsBack() throws IOException {
    ApiKey key = new ApiKey("0123456789ab", "h", "team", Set.of(Scope.SEARCH, Scope.METRICS), List.of("t1"), 4, 1L, 9L, null);
    String json = key.toJson();
    assertThat(json).contains("\"tenant_tags\":[\"t1\"]", "\"max_concurrent\":4", "\"expires_at\":9")
        .doesNotContain("revoked");
    assertThat(ApiKey.fromJson(json)).isEqualTo(key);
    assertThatThrownBy(() -> ApiKey.fromJson("{\"id\":\"x\"}")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> ApiKey.fromJson("null")).isInstanceOf(IOException.class);
  }
}
