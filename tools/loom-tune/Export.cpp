//===- Export.cpp - loom-tune export: the dataset as CSV ------------------===//

#include "Export.h"

#include "Dataset.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::tune;

/// `text` as one CSV field (RFC 4180: quoted when it holds a comma, quote
/// or line break; quotes doubled).
static std::string csvField(llvm::StringRef text) {
  if (text.find_first_of(",\"\n\r") == llvm::StringRef::npos)
    return text.str();
  std::string quoted = "\"";
  for (char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

static std::string jsonText(const llvm::json::Value &value) {
  std::string text;
  llvm::raw_string_ostream(text) << value;
  return text;
}

LogicalResult tune::exportCsv(const cost::FeatureSchema &schema,
                              const std::string &datasetPath,
                              const std::string &csvPath) {
  llvm::Expected<std::vector<Row>> rows = readDataset(datasetPath);
  if (!rows) {
    llvm::errs() << "loom-tune: " << llvm::toString(rows.takeError()) << "\n";
    return failure();
  }
  std::vector<const Row *> selected;
  std::vector<std::string> knobs; // in order of first appearance
  for (const Row &row : *rows) {
    if (row.schema != schema.decision || row.version != schema.version)
      continue;
    selected.push_back(&row);
    for (const auto &knob : row.knobs)
      if (!llvm::is_contained(knobs, knob.first.str()))
        knobs.push_back(knob.first.str());
  }
  llvm::sort(knobs);
  std::error_code error;
  llvm::raw_fd_ostream os(csvPath, error, llvm::sys::fs::OF_Text);
  if (error) {
    llvm::errs() << "loom-tune: writing " << csvPath << ": " << error.message()
                 << "\n";
    return failure();
  }
  os << "target,machine,task,task_desc,candidate,pass,status,median_us,"
        "mad_us,samples,cpu_share";
  for (const std::string &knob : knobs)
    os << ",knob." << knob;
  for (llvm::StringRef name : schema.names)
    os << ",f." << name;
  os << "\n";
  for (const Row *row : selected) {
    os << csvField(row->target) << "," << csvField(row->machine) << ","
       << row->task.id() << "," << csvField(jsonText(row->task.toJson())) << ","
       << row->candidate << "," << row->pass << "," << row->status << ","
       << llvm::format("%.4f", row->medianUs) << ","
       << llvm::format("%.4f", row->madUs) << "," << row->samples << ","
       << llvm::format("%.4f", row->cpuShare);
    for (const std::string &knob : knobs) {
      os << ",";
      if (const llvm::json::Value *value = row->knobs.get(knob))
        os << csvField(value->getAsString() ? value->getAsString()->str()
                                            : jsonText(*value));
    }
    for (float feature : row->features)
      os << "," << llvm::format("%.9g", feature);
    os << "\n";
  }
  llvm::outs() << "loom-tune export: " << selected.size() << " rows of "
               << schema.decision << " v" << schema.version << " -> " << csvPath
               << "\n";
  return success();
}
