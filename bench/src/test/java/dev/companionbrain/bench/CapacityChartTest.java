package dev.companionbrain.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.companionbrain.bench.CapacityChart.Axis;
import dev.companionbrain.bench.CapacityChart.Point;
import dev.companionbrain.bench.CapacityChart.Series;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The capacity chart: its axes' geometry, and an SVG that parses with one point per step in each panel. */
class CapacityChartTest {

  @Test
  void aLinearAxisMapsItsRangeOntoItsPixelsAndClampsTheRest() {
    Axis x = new Axis(0, 200, 70, 700, false);
    assertThat(x.at(0)).isEqualTo(70);
    assertThat(x.at(50)).isEqualTo(227.5);
    assertThat(x.at(200)).isEqualTo(700);
    assertThat(x.at(-5)).isEqualTo(70);
    assertThat(x.at(400)).isEqualTo(700);
    assertThat(x.at(Double.NaN)).isEqualTo(70);
    Axis y = new Axis(0, 100, 270, 50, false); // up the page
    assertThat(y.at(25)).isEqualTo(215);
    Axis offsetAxis = new Axis(10, 110, 0, 100, false);
    assertThat(offsetAxis.at(60)).isEqualTo(50);
    assertThat(offsetAxis.at(5)).isEqualTo(0);
  }

  @Test
  void aLogAxisPutsEachDecadeAtTheSameDistance() {
    Axis p95 = new Axis(1, 1000, 560, 340, true);
    assertThat(p95.at(1)).isEqualTo(560);
    assertThat(p95.at(10)).isCloseTo(560 - 220 / 3.0, offset(1e-9));
    assertThat(p95.at(100)).isCloseTo(560 - 2 * 220 / 3.0, offset(1e-9));
    assertThat(p95.at(1000)).isCloseTo(340, offset(1e-9));
    assertThat(p95.at(0)).isEqualTo(560); // under the axis: at its foot
    Axis fromTen = new Axis(10, 1000, 0, 100, true);
    assertThat(fromTen.at(100)).isCloseTo(50, offset(1e-9));
    assertThat(CapacityChart.logTicks(fromTen)).containsExactly(10, 100, 1000);
    assertThat(CapacityChart.logTicks(p95)).containsExactly(1, 10, 100, 1000);
  }

  @Test
  void axesEndAtRoundFigures() {
    assertThat(CapacityChart.niceMax(200)).isEqualTo(200);
    assertThat(CapacityChart.niceMax(201)).isEqualTo(250);
    assertThat(CapacityChart.niceMax(251)).isEqualTo(500);
    assertThat(CapacityChart.niceMax(7)).isEqualTo(10);
    assertThat(CapacityChart.niceMax(0.3)).isCloseTo(0.5, offset(1e-12));
    assertThat(CapacityChart.niceMax(0)).isEqualTo(1);
    assertThat(CapacityChart.niceMax(Double.NaN)).isEqualTo(1);
    assertThat(CapacityChart.decadeMax(150)).isEqualTo(1000);
    assertThat(CapacityChart.decadeMax(1000)).isEqualTo(1000);
    assertThat(CapacityChart.decadeMax(4000)).isEqualTo(10000);
    assertThat(CapacityChart.linearTicks(new Axis(0, 250, 0, 1, false))).containsExactly(0, 50, 100, 150, 200, 250);
  }

  @Test
  void theSvgParsesAndHasOnePointPerStepInEachPanel() throws Exception {
    Series none = new Series("No ingestion", List.of(new Point(10, 10, 20), new Point(25, 25, 22), new Point(50, 50, 30),
        new Point(100, 99.5, 90), new Point(200, 140, 800), new Point(100, 99, 95)));
    Series ingest = new Series("With 10 documents/s", List.of(new Point(10, 10, 25), new Point(25, 25, 30),
        new Point(50, 50, 45), new Point(100, 90, 300), new Point(200, 0, Double.NaN)));
    Document svg = parse(CapacityChart.svg(List.of(none, ingest)));

    assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(svg.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    List<Element> circles = elements(svg, "circle");
    assertThat(circles.stream().filter(c -> c.getAttribute("class").equals("goodput"))).hasSize(11);
    // the step with no 200 answer has no p95 to draw
    assertThat(circles.stream().filter(c -> c.getAttribute("class").equals("p95"))).hasSize(10);
    assertThat(elements(svg, "polyline")).hasSize(4);
    // the step beyond the knee is hollow and off the ladder's line
    Series withBeyond = new Series("b", List.of(new Point(10, 10, 20), new Point(20, 20, 20), new Point(40, 30, 50, true)));
    Document beyond = parse(CapacityChart.svg(List.of(withBeyond)));
    assertThat(elements(beyond, "circle").stream().filter(c -> c.getAttribute("fill").equals("white"))).hasSize(2);
    assertThat(elements(beyond, "polyline").get(0).getAttribute("points")).isEqualTo("196.0,226.0 322.0,182.0");
    // x: 0..200 over 70..700; goodput: 0..200 over 270..50; p95: 1..1000 (log) over 560..340
    Element fifty = circles.stream().filter(c -> c.getAttribute("class").equals("goodput")).toList().get(2);
    assertThat(fifty.getAttribute("cx")).isEqualTo("227.5");
    assertThat(fifty.getAttribute("cy")).isEqualTo("215.0");
    assertThat(fifty.getTextContent()).isEqualTo("No ingestion: 50.0/s offered, 50.0/s answered");
    Element p95 = circles.stream().filter(c -> c.getAttribute("class").equals("p95")).toList().get(0);
    assertThat(p95.getAttribute("cx")).isEqualTo("101.5");
    assertThat(Double.parseDouble(p95.getAttribute("cy"))).isCloseTo(560 - 220 * Math.log10(20) / 3, offset(0.05));
    assertThat(svg.getDocumentElement().getTextContent()).contains("With 10 documents/s", "target p95 < 200 ms",
        "answered 200/s", "p95 of the 200s, ms (log)", "offered requests/s");
    // each panel: 2 axes, 6 x ticks, its y grid (6 linear, 4 decades); the diagonal and the 200 ms target, dashed
    List<Element> lines = elements(svg, "line");
    assertThat(lines).hasSize(2 + 6 + 6 + 2 + 6 + 4 + 2);
    assertThat(lines.stream().filter(l -> l.getAttribute("stroke-dasharray").equals("4 4"))).hasSize(2);
    Element target = lines.stream().filter(l -> l.hasAttribute("stroke-dasharray")).toList().get(1);
    assertThat(target.getAttribute("y1")).isEqualTo(String.format(java.util.Locale.ROOT, "%.1f",
        560 - 220 * Math.log10(200) / 3));
    List<Element> texts = elements(svg, "text");
    Element yLabel = texts.stream().filter(t -> t.getTextContent().equals("1000")).findFirst().orElseThrow();
    assertThat(yLabel.getAttribute("x")).isEqualTo("62.0");
    assertThat(yLabel.getAttribute("y")).isEqualTo("344.0");
    Element xLabel = texts.stream().filter(t -> t.getTextContent().equals("40")).toList().get(2); // the latency panel's
    assertThat(xLabel.getAttribute("x")).isEqualTo("196.0");
    assertThat(xLabel.getAttribute("y")).isEqualTo("578.0");
  }

  @Test
  void aSeriesIsAPassesSearchedStepsInOfferedOrder() {
    CapacityStep beyond = CapacityFixtures.withKind(CapacityFixtures.step(100, 3000, 1800, 400, 900),
        CapacityStep.Kind.BEYOND);
    CapacityPass pass = new CapacityPass(CapacityPass.Kind.INGEST, CapacityFixtures.reference(1000, 15, 15),
        List.of(CapacityFixtures.passing(10), CapacityFixtures.passing(200), CapacityFixtures.passing(50)), beyond);
    Series s = Series.of("ingest", pass);
    assertThat(s.points()).extracting(Point::offered).containsExactly(10.0, 50.0, 100.0, 200.0);
    assertThat(s.points().get(2)).isEqualTo(new Point(100, 60, 400, true));
    assertThat(s.points().get(1).beyond()).isFalse();
  }

  @Test
  void namesAreEscaped() throws Exception {
    Document svg = parse(CapacityChart.svg(List.of(new Series("a <b> & \"c\"", List.of(new Point(10, 10, 20))))));
    assertThat(svg.getDocumentElement().getTextContent()).contains("a <b> & \"c\"");
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<Element> elements(Document d, String name) {
    NodeList nodes = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", name);
    List<Element> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }
}
