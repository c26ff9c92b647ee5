package dev.cairn.benchmarks.charts;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The two kinds of chart the benchmarks draw, in one style, as PNG files. */
public final class Charts {
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 560;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Charts() {
    }

    /** Grouped bars: one group per category, one bar per series, values printed on the bars. */
    public static void bars(Path png, String title, String yTitle, List<String> categories, Map<String, List<Double>> series)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        style(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendVisible(series.size() > 1);
        st.setLabelsVisible(true);
        st.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setLabelsPosition(0.5);
        st.setXAxisLabelRotation(categories.stream().mapToInt(String::length).max().orElse(0) * categories.size() > 110 ? 20 : 0);
        st.setAvailableSpaceFill(0.7);
        st.setOverlapped(false);
        st.setYAxisDecimalPattern(pattern(series));
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            chart.addSeries(e.getKey(), categories, e.getValue());
        }
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Lines with markers over a numeric x axis, linear or log-log. */
    public static void lines(Path png, String title, String xTitle, String yTitle, List<Double> x, Map<String, List<Double>> series,
                             boolean logLog) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        style(st);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setXAxisLogarithmic(logLog);
        st.setYAxisLogarithmic(logLog);
        st.setXAxisDecimalPattern("#,###");
        st.setYAxisDecimalPattern(pattern(series));
        st.setMarkerSize(9);
        if (!logLog) {
            st.setYAxisMin(0.0);
            st.setXAxisMin(0.0);
        }
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            chart.addSeries(e.getKey(), x, e.getValue()).setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void style(AxesChartStyler st) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderVisible(false);
        st.setPlotGridLinesColor(new Color(0xdddddd));
        st.setLegendBorderColor(Color.WHITE);
        st.setSeriesColors(COLORS);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setChartTitleBoxVisible(false);
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setAntiAlias(true);
    }

    private static String pattern(Map<String, List<Double>> series) {
        double max = series.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).max().orElse(0);
        return max >= 100 ? "#,##0" : max >= 10 ? "#,##0.#" : max >= 1 ? "#,##0.##" : "0.###";
    }

    private static String strip(Path png) {
        String s = png.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
