package dev.companionbrain.cli;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of the evaluation (JFreeChart, headless). */
final class Charts {
  private Charts() {}

  /** A bar per mode and query set. values: mode -> (series -> value). */
  static void bars(Path file, String title, Map<String, Map<String, Double>> values) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    values.forEach((mode, bySeries) -> bySeries.forEach((series, v) -> data.addValue(v, series, mode)));
    JFreeChart chart = ChartFactory.createBarChart(title, "mode", "nDCG@10", data, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelLines(4);
    chart.getCategoryPlot().getDomainAxis().setMaximumCategoryLabelWidthRatio(1.2f);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 1200, 560);
  }

  /** One curve per series over a swept weight. points: series -> list of (x, y). */
  static void curves(Path file, String title, String xLabel, Map<String, List<double[]>> points) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    points.forEach((name, xy) -> {
      XYSeries series = new XYSeries(name);
      xy.forEach(p -> series.add(p[0], p[1]));
      data.addSeries(series);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, "nDCG@10 (tuning half)", data,
        PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 800, 480);
  }
}
