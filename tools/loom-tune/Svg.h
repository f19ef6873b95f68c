//===- Svg.h - The report's plots, as self-contained SVG --------*- C++ -*-===//
#ifndef LOOM_TOOLS_LOOMTUNE_SVG_H
#define LOOM_TOOLS_LOOMTUNE_SVG_H

#include <string>
#include <utility>
#include <vector>

namespace mlir::loom::tune {

using Series = std::pair<std::string, std::vector<double>>;

/// Axis titles.
struct Axes {
  std::string x, y;
};

/// Points (x, y) with linear axes.
void writeScatter(const std::string &path, const std::string &title,
                  const Axes &axes,
                  const std::vector<std::pair<double, double>> &points);

/// One histogram of values in [0, 1] per series, bars side by side.
void writeHistograms(const std::string &path, const std::string &title,
                     const Axes &axes, const std::vector<Series> &series);

/// One line per series over x = 1, 2, ...
void writeCurves(const std::string &path, const std::string &title,
                 const std::vector<Series> &series);

/// Polylines through (x, y) points, with linear axes spanning them all.
struct Polyline {
  std::string name;
  std::vector<std::pair<double, double>> points;
};
void writeLines(const std::string &path, const std::string &title,
                const Axes &axes, const std::vector<Polyline> &lines);

} // namespace mlir::loom::tune

#endif // LOOM_TOOLS_LOOMTUNE_SVG_H
