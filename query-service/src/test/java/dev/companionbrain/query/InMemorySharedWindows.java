package dev.companionbrain.query;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The shared level in memory, for the unit tests of our own cache logic (the Redis one is exercised in CacheIT). */
final class InMemorySharedWindows implements WindowCache.SharedWindows {
  final Map<String, CandidateWindow> windows = new ConcurrentHashMap<>();
  final Set<String> claims = ConcurrentHashMap.newKeySet();

  @Override
  public Optional<CandidateWindow> window(String key) {
    return Optional.ofNullable(windows.get(key));
  }

  @Override
  public void putWindow(String key, CandidateWindow window) {
    windows.put(key, window);
  }

  @Override
  public boolean claimRefresh(String key, long generation) {
    return claims.add(key + "@" + generation);
  }
}
