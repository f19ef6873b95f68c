//===- Dataset.cpp - loom-tune's append-only measurement file -------------===//

#include "Dataset.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <unistd.h>

using namespace mlir::loom::tune;
namespace json = llvm::json;

json::Value Row::toJson() const {
  json::Array featureArray;
  for (float f : features) // JSON has no NaN: an absent feature is null.
    featureArray.push_back(std::isnan(f) ? json::Value(nullptr)
                                         : json::Value(double(f)));
  return json::Object{{"schema", schema},
                      {"version", version},
                      {"schema_hash", schemaHash},
                      {"target", target},
                      {"machine", machine},
                      {"task", task.id()},
                      {"task_desc", task.toJson()},
                      {"candidate", candidate},
                      {"knobs", json::Object(knobs)},
                      {"features", std::move(featureArray)},
                      {"median_us", medianUs},
                      {"mad_us", madUs},
                      {"samples", samples},
                      {"cpu_share", cpuShare},
                      {"status", status},
                      {"pass", pass}};
}

llvm::Expected<Row> Row::fromJson(const json::Value &value) {
  Row row;
  json::Path::Root root("row");
  json::ObjectMapper mapper(value, root);
  const json::Object *object = value.getAsObject();
  if (!object || !mapper || !mapper.map("schema", row.schema) ||
      !mapper.map("version", row.version) ||
      !mapper.map("schema_hash", row.schemaHash) ||
      !mapper.map("target", row.target) ||
      !mapper.map("machine", row.machine) ||
      !mapper.map("candidate", row.candidate) ||
      !mapper.map("median_us", row.medianUs) ||
      !mapper.map("mad_us", row.madUs) || !mapper.map("samples", row.samples) ||
      !mapper.map("cpu_share", row.cpuShare) ||
      !mapper.map("status", row.status) || !mapper.map("pass", row.pass))
    return root.getError();
  const json::Value *taskValue = object->get("task_desc");
  if (!taskValue)
    return llvm::createStringError("row without task_desc");
  llvm::Expected<Task> task = Task::fromJson(*taskValue);
  if (!task)
    return task.takeError();
  row.task = *task;
  if (const json::Object *knobs = object->getObject("knobs"))
    row.knobs = *knobs;
  const json::Array *features = object->getArray("features");
  if (!features)
    return llvm::createStringError("row without features");
  for (const json::Value &f : *features)
    row.features.push_back(f.getAsNumber() ? float(*f.getAsNumber()) : NAN);
  return row;
}

llvm::Expected<std::vector<Row>>
mlir::loom::tune::readDataset(const std::string &path, size_t maxRows) {
  std::vector<Row> rows;
  if (!llvm::sys::fs::exists(path))
    return rows;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "reading " + path);
  llvm::SmallVector<llvm::StringRef> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
  for (auto [i, line] : llvm::enumerate(lines)) {
    if (rows.size() == maxRows)
      break;
    llvm::Expected<json::Value> value = json::parse(line);
    if (!value) {
      // A collection killed mid-write leaves a truncated last line.
      if (i + 1 == lines.size() && !(*buffer)->getBuffer().ends_with("\n")) {
        llvm::consumeError(value.takeError());
        break;
      }
      return llvm::createStringError(path + ":" + std::to_string(i + 1) + ": " +
                                     llvm::toString(value.takeError()));
    }
    llvm::Expected<Row> row = Row::fromJson(*value);
    if (!row)
      return llvm::createStringError(path + ":" + std::to_string(i + 1) + ": " +
                                     llvm::toString(row.takeError()));
    rows.push_back(std::move(*row));
  }
  return rows;
}

llvm::Error mlir::loom::tune::appendRow(const std::string &path,
                                        const Row &row) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Append);
  if (error)
    return llvm::createStringError(error, "opening " + path);
  os << row.toJson() << "\n";
  os.flush();
  return llvm::Error::success();
}

llvm::Error mlir::loom::tune::dropTruncatedLine(const std::string &path) {
  if (!llvm::sys::fs::exists(path))
    return llvm::Error::success();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "reading " + path);
  llvm::StringRef text = (*buffer)->getBuffer();
  if (text.empty() || text.ends_with("\n"))
    return llvm::Error::success();
  size_t keep = text.rfind('\n') + 1; // npos + 1 == 0: the whole file
  if (::truncate(path.c_str(), static_cast<off_t>(keep)) != 0)
    return llvm::createStringError(
        std::error_code(errno, std::generic_category()), "truncating " + path);
  return llvm::Error::success();
}
