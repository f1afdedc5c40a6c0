package dev.companionbrain.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.companionbrain.core.relevance.CollectionFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code brain eval}'s and {@code brain ingest}'s options, parsed without running anything. */
class EvaluateTest {
  @Test
  void theWeightedSumIsChosenUnlessRrfLeadsByMoreThanARunsVariation() {
    FusionCandidate rrf = new FusionCandidate(dev.companionbrain.core.search.FusionMethod.RRF,
        dev.companionbrain.core.search.Weights.parse("keyword:1,vector:1"));
    FusionCandidate weighted = new FusionCandidate(dev.companionbrain.core.search.FusionMethod.WEIGHTED,
        dev.companionbrain.core.search.Weights.parse("keyword:0.4,vector:1"));

    assertThat(Evaluate.chosen(rrf, new double[] {0.432, 0.431}, weighted, new double[] {0.432, 0.426})).isSameAs(weighted);
    assertThat(Evaluate.chosen(rrf, new double[] {0.44, 0.44}, weighted, new double[] {0.435, 0.435}))
        .as("a lead within the variation is no lead").isSameAs(weighted);
    assertThat(Evaluate.chosen(rrf, new double[] {0.45, 0.43}, weighted, new double[] {0.43, 0.436})).isSameAs(rrf);
    assertThat(Evaluate.chosen(rrf, new double[] {0.40, 0.40}, weighted, new double[] {0.43, 0.43})).isSameAs(weighted);
  }

  @Test
  void onlyTheUncorrectedVariantSwitchesTheCorrectionOff() {
    assertThat(Evaluate.variantParams("clean", null)).isNull();
    assertThat(Evaluate.variantParams("typo", "fusion=rrf")).isEqualTo("fusion=rrf");
    assertThat(Evaluate.variantParams("typo-uncorrected", null)).isEqualTo("correct=false");
    assertThat(Evaluate.variantParams("typo-uncorrected", "fusion=rrf")).isEqualTo("fusion=rrf&correct=false");
  }

  @Test
  void formatIsDetectedUnlessGivenInAnyCase() {
    Evaluate detected = new Evaluate();
    new CommandLine(detected).parseArgs("--collection", "data/cisi");
    assertThat(detected.collection).isEqualTo(Path.of("data/cisi"));
    assertThat(detected.format).isNull();

    Evaluate forced = new Evaluate();
    new CommandLine(forced).parseArgs("--collection", "data/cisi", "--format", "CISI");
    assertThat(forced.format).isEqualTo(CollectionFormat.CISI);

    Ingest ingest = new Ingest();
    new CommandLine(ingest).parseArgs("--collection", "data/robust", "--format", "trec");
    assertThat(ingest.format).isEqualTo(CollectionFormat.TREC);
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(
            () ->
                new CommandLine(new Evaluate()).parseArgs("--collection", "x", "--format", "lisa"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("smart, cisi, med, cacm, trec, beir");
  }
}
