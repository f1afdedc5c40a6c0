package dev.companionbrain.bench;

import static dev.companionbrain.bench.ReportFormat.num;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The chart of {@code brain bench capacity}, as hand-written SVG: the goodput (200 answers per second)
 * against the offered load in the top panel, beside the line where every request is answered, and the
 * p95 of the 200 answers (ms, log scale) against the offered load in the bottom panel, beside the 200 ms
 * target; one series per pass, one point per measured step, the ladder's joined by a line and the
 * step beyond the knee drawn hollow.
 */
final class CapacityChart {
  static final int WIDTH = 720;
  static final int HEIGHT = 620;
  static final int LEFT = 70;
  static final int RIGHT = WIDTH - 20;
  /** top and bottom pixel of the goodput panel, then of the latency panel */
  static final int GOODPUT_TOP = 50;
  static final int GOODPUT_BOTTOM = 270;
  static final int LATENCY_TOP = 340;
  static final int LATENCY_BOTTOM = 560;
  private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

  private CapacityChart() {}

  /**
   * One measured step: offered and answered requests per second, p95 of the answered in ms.
   *
   * @param beyond the step beyond the knee (drawn hollow, off the ladder's line)
   */
  record Point(double offered, double goodput, double p95Ms, boolean beyond) {
    Point(double offered, double goodput, double p95Ms) {
      this(offered, goodput, p95Ms, false);
    }
  }

  record Series(String name, List<Point> points) {
    Series {
      points = points.stream().sorted(Comparator.comparingDouble(Point::offered)).toList();
    }

    /** A pass's searched steps (the reference step sends no search: it is no point). */
    static Series of(String name, CapacityPass pass) {
      List<CapacityStep> steps = new ArrayList<>(pass.ladder());
      if (pass.beyond() != null) {
        steps.add(pass.beyond());
      }
      return new Series(name, steps.stream().map(s -> new Point(s.offered(), s.goodput(), s.answeredMs().p95(),
          s.kind() == CapacityStep.Kind.BEYOND)).toList());
    }
  }

  /** Values in [min, max] onto pixels [from, to], linearly or by their logarithm; values outside are clamped. */
  record Axis(double min, double max, double from, double to, boolean log) {
    double at(double v) {
      double clamped = Double.isNaN(v) ? min : Math.max(min, Math.min(max, v));
      double share = log ? (Math.log10(clamped) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
          : (clamped - min) / (max - min);
      return from + share * (to - from);
    }
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v} (1 for v <= 0). */
  static double niceMax(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double decade = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * decade >= v) {
        return m * decade;
      }
    }
    return 10 * decade;
  }

  /** The smallest power of ten that is at least {@code v}, and at least 1000 (so the 200 ms target shows). */
  static double decadeMax(double v) {
    return Math.max(1000, Math.pow(10, Math.ceil(Math.log10(Math.max(v, 1)))));
  }

  static String svg(List<Series> series) {
    double maxOffered = 0;
    double maxGoodput = 0;
    double maxP95 = 0;
    for (Series s : series) {
      for (Point p : s.points()) {
        maxOffered = Math.max(maxOffered, p.offered());
        maxGoodput = Math.max(maxGoodput, p.goodput());
        maxP95 = Double.isNaN(p.p95Ms()) ? maxP95 : Math.max(maxP95, p.p95Ms());
      }
    }
    Axis x = new Axis(0, niceMax(maxOffered), LEFT, RIGHT, false);
    Axis goodput = new Axis(0, niceMax(Math.max(maxOffered, maxGoodput)), GOODPUT_BOTTOM, GOODPUT_TOP, false);
    Axis p95 = new Axis(1, decadeMax(maxP95), LATENCY_BOTTOM, LATENCY_TOP, true);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(svg, WIDTH / 2.0, 24, "middle", "Capacity: goodput and p95 against offered load");
    panel(svg, x, goodput, linearTicks(goodput), "answered 200/s");
    line(svg, x.at(0), goodput.at(0), x.at(x.max()), goodput.at(x.max()), "#999", "4 4"); // every request answered
    panel(svg, x, p95, logTicks(p95), "p95 of the 200s, ms (log)");
    line(svg, x.at(0), p95.at(CapacityTargets.MAX_P95_MS), x.at(x.max()), p95.at(CapacityTargets.MAX_P95_MS), "#999", "4 4");
    text(svg, RIGHT, p95.at(CapacityTargets.MAX_P95_MS) - 4, "end", "target p95 < " + num(CapacityTargets.MAX_P95_MS) + " ms");
    text(svg, (LEFT + RIGHT) / 2.0, LATENCY_BOTTOM + 36, "middle", "offered requests/s (hollow: the step beyond the knee)");
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = COLOURS[i % COLOURS.length];
      plot(svg, s, colour, "goodput", x, goodput, true);
      plot(svg, s, colour, "p95", x, p95, false);
      double legendY = GOODPUT_TOP + 14 + 16 * i;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
          LEFT + 10, legendY - 10, colour));
      text(svg, LEFT + 28, legendY, "start", s.name());
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void plot(StringBuilder svg, Series s, String colour, String kind, Axis x, Axis y, boolean goodput) {
    StringBuilder path = new StringBuilder();
    StringBuilder points = new StringBuilder();
    for (Point p : s.points()) {
      double value = goodput ? p.goodput() : p.p95Ms();
      if (Double.isNaN(value)) {
        continue; // no 200 answer: no latency to draw
      }
      String at = String.format(Locale.ROOT, "%.1f,%.1f", x.at(p.offered()), y.at(value));
      if (!p.beyond()) {
        path.append(path.length() == 0 ? "" : " ").append(at);
      }
      String[] xy = at.split(",");
      points.append(String.format(Locale.ROOT, "<circle class=\"%s\" cx=\"%s\" cy=\"%s\" r=\"4\" fill=\"%s\" "
          + "stroke=\"%s\" stroke-width=\"2\"><title>%s: %.1f/s offered%s, %s</title></circle>%n", kind, xy[0], xy[1],
          p.beyond() ? "white" : colour, colour, escape(s.name()), p.offered(), p.beyond() ? " (beyond the knee)" : "",
          goodput ? String.format(Locale.ROOT, "%.1f/s answered", value) : String.format(Locale.ROOT, "p95 %.1f ms", value)));
    }
    svg.append(String.format(Locale.ROOT, "<polyline class=\"%s\" points=\"%s\" fill=\"none\" stroke=\"%s\" "
        + "stroke-width=\"2\"/>%n", kind, path, colour));
    svg.append(points);
  }

  private static void panel(StringBuilder svg, Axis x, Axis y, double[] yTicks, String yTitle) {
    line(svg, LEFT, y.from(), RIGHT, y.from(), "#000", null);
    line(svg, LEFT, y.from(), LEFT, y.to(), "#000", null);
    for (double t : yTicks) {
      line(svg, LEFT - 4, y.at(t), RIGHT, y.at(t), "#eee", null);
      text(svg, LEFT - 8, y.at(t) + 4, "end", num(t));
    }
    for (double t : linearTicks(x)) {
      line(svg, x.at(t), y.from(), x.at(t), y.from() + 4, "#000", null);
      text(svg, x.at(t), y.from() + 18, "middle", num(t));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">"
        + "%s</text>%n", (y.from() + y.to()) / 2, (y.from() + y.to()) / 2, escape(yTitle)));
  }

  /** Five equal intervals from the axis's min to its max. */
  static double[] linearTicks(Axis a) {
    double[] ticks = new double[6];
    for (int i = 0; i <= 5; i++) {
      ticks[i] = a.min() + i * (a.max() - a.min()) / 5;
    }
    return ticks;
  }

  /** Every power of ten from the axis's min to its max. */
  static double[] logTicks(Axis a) {
    int decades = (int) Math.round(Math.log10(a.max()) - Math.log10(a.min()));
    double[] ticks = new double[decades + 1];
    for (int i = 0; i <= decades; i++) {
      ticks[i] = a.min() * Math.pow(10, i);
    }
    return ticks;
  }

  private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour, String dashes) {
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n",
        x1, y1, x2, y2, colour, dashes == null ? "" : " stroke-dasharray=\"" + dashes + "\""));
  }

  private static void text(StringBuilder svg, double x, double y, String anchor, String text) {
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n", x, y, anchor,
        escape(text)));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
