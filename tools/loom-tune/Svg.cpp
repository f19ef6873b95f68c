//===- Svg.cpp - The report's plots, as self-contained SVG ----------------===//

#include "Svg.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir::loom;
using namespace mlir::loom::tune;

namespace {

constexpr double kWidth = 640, kHeight = 420, kLeft = 60, kRight = 20,
                 kTop = 40, kBottom = 50;
const char *const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

/// A plot area mapping data ranges onto the canvas, with axes and ticks.
class Canvas {
public:
  Canvas(const std::string &title, const std::string &xLabel,
         const std::string &yLabel, double x0, double x1, double y0, double y1)
      : x0(x0), x1(x1 > x0 ? x1 : x0 + 1), y0(y0), y1(y1 > y0 ? y1 : y0 + 1) {
    os +=
        llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" font-family=\"sans-serif\""
                      " font-size=\"11\">\n<rect width=\"100%\" "
                      "height=\"100%\" fill=\"white\"/>\n",
                      kWidth, kHeight)
            .str();
    os +=
        llvm::formatv("<text x=\"{0}\" y=\"20\" font-size=\"13\">{1}</text>\n",
                      kLeft, title)
            .str();
    double bottom = kHeight - kBottom, right = kWidth - kRight;
    os += llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">"
                        "{2}</text>\n",
                        (kLeft + right) / 2, kHeight - 12, xLabel)
              .str();
    os += llvm::formatv("<text transform=\"translate(14 {0}) rotate(-90)\" "
                        "text-anchor=\"middle\">{1}</text>\n",
                        (kTop + bottom) / 2, yLabel)
              .str();
    os += llvm::formatv("<path d=\"M{0} {1} V{2} H{3}\" stroke=\"black\" "
                        "fill=\"none\"/>\n",
                        kLeft, kTop, bottom, right)
              .str();
    for (int i = 0; i <= 4; ++i) {
      double xv = this->x0 + (this->x1 - this->x0) * i / 4;
      double yv = this->y0 + (this->y1 - this->y0) * i / 4;
      os += llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">"
                          "{2:G3}</text>\n",
                          x(xv), bottom + 15, xv)
                .str();
      os += llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\">"
                          "{2:G3}</text>\n",
                          kLeft - 5, y(yv) + 4, yv)
                .str();
    }
  }

  double x(double v) const {
    return kLeft + (v - x0) / (x1 - x0) * (kWidth - kLeft - kRight);
  }
  double y(double v) const {
    return kHeight - kBottom -
           (v - y0) / (y1 - y0) * (kHeight - kTop - kBottom);
  }
  void legend(int i, const std::string &name) {
    os += llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"10\" height=\"10\" "
                        "fill=\"{2}\"/><text x=\"{3}\" y=\"{4}\">{5}</text>\n",
                        kWidth - 140, kHeight - kBottom - 60 + 15 * i,
                        kColors[i % 4], kWidth - 125,
                        kHeight - kBottom - 60 + 15 * i + 9, name)
              .str();
  }
  /// Series `i`'s line and its legend entry.
  void polyline(int i, const Polyline &line) {
    legend(i, line.name);
    std::string d;
    for (size_t j = 0; j < line.points.size(); ++j)
      d += llvm::formatv("{0}{1:F1} {2:F1} ", j ? "L" : "M",
                         x(line.points[j].first), y(line.points[j].second))
               .str();
    os += llvm::formatv("<path d=\"{0}\" stroke=\"{1}\" fill=\"none\" "
                        "stroke-width=\"2\"/>\n",
                        d, kColors[i % 4])
              .str();
  }
  std::string os;

  void save(const std::string &path) {
    std::error_code error;
    llvm::raw_fd_ostream file(path, error);
    file << os << "</svg>\n";
  }

private:
  double x0, x1, y0, y1;
};

std::pair<double, double> range(const std::vector<double> &values) {
  if (values.empty())
    return {0, 1};
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return {*lo, *hi};
}

} // namespace

void tune::writeScatter(const std::string &path, const std::string &title,
                        const Axes &axes,
                        const std::vector<std::pair<double, double>> &points) {
  std::vector<double> xs, ys;
  for (auto [px, py] : points)
    xs.push_back(px), ys.push_back(py);
  auto [xlo, xhi] = range(xs);
  auto [ylo, yhi] = range(ys);
  Canvas canvas(title, axes.x, axes.y, xlo, xhi, ylo, yhi);
  for (auto [px, py] : points)
    canvas.os += llvm::formatv("<circle cx=\"{0:F1}\" cy=\"{1:F1}\" r=\"2\" "
                               "fill=\"{2}\" fill-opacity=\"0.5\"/>\n",
                               canvas.x(px), canvas.y(py), kColors[0])
                     .str();
  canvas.save(path);
}

void tune::writeHistograms(const std::string &path, const std::string &title,
                           const Axes &axes,
                           const std::vector<Series> &series) {
  constexpr int kBins = 10;
  std::vector<std::vector<double>> counts;
  double most = 1;
  for (const Series &s : series) {
    std::vector<double> bins(kBins, 0);
    for (double v : s.second)
      ++bins[std::clamp(static_cast<int>(v * kBins), 0, kBins - 1)];
    most = std::max(most, *std::max_element(bins.begin(), bins.end()));
    counts.push_back(bins);
  }
  Canvas canvas(title, axes.x, axes.y, 0, 1, 0, most);
  double binWidth = (canvas.x(1) - canvas.x(0)) / kBins;
  double barWidth = binWidth / std::max<size_t>(1, series.size());
  for (size_t s = 0; s < series.size(); ++s) {
    canvas.legend(s, series[s].first);
    for (int b = 0; b < kBins; ++b)
      canvas.os +=
          llvm::formatv("<rect x=\"{0:F1}\" y=\"{1:F1}\" "
                        "width=\"{2:F1}\" height=\"{3:F1}\" "
                        "fill=\"{4}\"/>\n",
                        canvas.x(0) + b * binWidth + s * barWidth,
                        canvas.y(counts[s][b]), barWidth,
                        canvas.y(0) - canvas.y(counts[s][b]), kColors[s % 4])
              .str();
  }
  canvas.save(path);
}

void tune::writeCurves(const std::string &path, const std::string &title,
                       const std::vector<Series> &series) {
  double xmax = 1, ylo = 1;
  for (const Series &s : series) {
    xmax = std::max<double>(xmax, s.second.size());
    if (!s.second.empty())
      ylo = std::min(ylo, range(s.second).first);
  }
  Canvas canvas(title, "candidates measured, in the order's sequence",
                "best time / best so far", 1, xmax, ylo, 1);
  for (size_t s = 0; s < series.size(); ++s) {
    std::vector<std::pair<double, double>> points;
    for (size_t j = 0; j < series[s].second.size(); ++j)
      points.push_back({double(j + 1), series[s].second[j]});
    canvas.polyline(s, {series[s].first, points});
  }
  canvas.save(path);
}

void tune::writeLines(const std::string &path, const std::string &title,
                      const Axes &axes, const std::vector<Polyline> &lines) {
  std::vector<double> xs, ys;
  for (const Polyline &line : lines)
    for (auto [px, py] : line.points)
      xs.push_back(px), ys.push_back(py);
  auto [xlo, xhi] = range(xs);
  auto [ylo, yhi] = range(ys);
  Canvas canvas(title, axes.x, axes.y, xlo, xhi, ylo, yhi);
  for (size_t i = 0; i < lines.size(); ++i)
    canvas.polyline(i, lines[i]);
  canvas.save(path);
}
