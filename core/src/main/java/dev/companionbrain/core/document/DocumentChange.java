package dev.companionbrain.core.document;

/**
 * A valid submitted change: an upsert of a document (optionally with the producer's vector) or a
 * delete of an id.
 *
 * @param op what to do
 * @param id the document id
 * @param document the document, null for deletes
 * @param vector the producer's vector ({@link DocumentParser#DIMENSIONS} floats), or null
 */
public record DocumentChange(Op op, String id, Document document, float[] vector) {
  public enum Op { UPSERT, DELETE }

  public static DocumentChange delete(String id) {
    return new DocumentChange(Op.DELETE, id, null, null);
  }
}
