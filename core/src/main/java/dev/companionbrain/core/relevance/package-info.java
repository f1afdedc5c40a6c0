/**
 * Offline relevance evaluation: reading test collections ({@link
 * dev.companionbrain.core.relevance.TestCollections}: Cranfield, CISI, MED and CACM as
 * distributed, TREC qrels, or BEIR folders), ranking metrics ({@link
 * dev.companionbrain.core.relevance.RankingMetrics}) and their
 * per-mode aggregation ({@link dev.companionbrain.core.relevance.RelevanceEvaluation}),
 * deterministic typo'd queries ({@link dev.companionbrain.core.relevance.TypoQueries}) and a
 * deterministic tune/test split of the queries ({@link
 * dev.companionbrain.core.relevance.QuerySplit}).
 *
 * <p>Relevance is binary throughout: a judged document is relevant when its grade is {@code >= 1}
 * (every listed pair, for collections whose judgements carry no grade).
 */
package dev.companionbrain.core.relevance;
