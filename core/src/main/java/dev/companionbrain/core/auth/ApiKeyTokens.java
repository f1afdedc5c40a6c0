package dev.companionbrain.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The API key a client sends ({@code Authorization: Bearer cb_<id>_<secret>}): a public id of 12
 * hex digits and 32 random bytes (base64url). Only its SHA-256 is stored: a key carries 256 random
 * bits, so a slow password hash would add nothing but time to every request.
 */
public final class ApiKeyTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String PREFIX = "cb_";

  private ApiKeyTokens() {}

  /** A new key: {@code cb_<12 hex>_<43 base64url>}. */
  public static String generate() {
    byte[] id = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(id);
    RANDOM.nextBytes(secret);
    return PREFIX + HexFormat.of().formatHex(id) + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The public id of a key of the {@link #generate} form, or null when {@code token} has not that form. */
  public static String idOf(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() != PREFIX.length() + 12 + 1 + 43
        || token.charAt(PREFIX.length() + 12) != '_') {
      return null;
    }
    String id = token.substring(PREFIX.length(), PREFIX.length() + 12);
    for (int i = 0; i < id.length(); i++) {
      if (Character.digit(id.charAt(i), 16) < 0) {
        return null;
      }
    }
    return id;
  }

  /** One digest per thread: every request hashes its key, and looking the algorithm up costs more than hashing. */
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  });

  /** The hex SHA-256 of {@code token}: what the store keeps and looks a key up by. */
  public static String hash(String token) {
    MessageDigest digest = SHA_256.get();
    digest.reset();
    return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
  }
}
