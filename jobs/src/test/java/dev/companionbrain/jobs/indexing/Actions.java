package dev.companionbrain.jobs.indexing;

/**
 * Index actions for the sinks' tests. They are jobs classes, so they live here and not in the
 * test-support module (which the jobs' own tests depend on, and which therefore cannot depend on jobs).
 */
final class Actions {
  private Actions() {}

  /** An upsert with every field set: tag {@code t1}, a URL made of the id, a fixed date, source timestamp 42. */
  static IndexAction upsert(String id, String title, String body) {
    IndexAction a = new IndexAction();
    a.id = id;
    a.title = title;
    a.body = body;
    a.tags = new String[] {"t1"};
    a.url = "https://example.org/" + id;
    a.updatedAt = "2024-05-01T10:30:00Z";
    a.sourceTimestamp = 42;
    return a;
  }

  static IndexAction delete(String id) {
    IndexAction a = new IndexAction();
    a.delete = true;
    a.id = id;
    return a;
  }
}
