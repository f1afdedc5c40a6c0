/**
 * Engine-independent search logic: request parsing and validation ({@link
 * dev.companionbrain.core.search.SearchQuery}), cache keys, and fusion of the ranked lists that
 * the three {@link dev.companionbrain.core.search.Retriever retrievers} return ({@link
 * dev.companionbrain.core.search.Fusion}).
 */
package dev.companionbrain.core.search;
