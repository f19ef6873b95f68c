//===- TraceValues.cpp - A run's values in the trace's problem ------------===//

#include "loom/Runtime/Workflow/TraceValues.h"
#include "loom/Runtime/Workflow/Json.h"

#include <algorithm>
#include <cstdlib>

namespace mlir::loom::wfrt {

std::string pyName(std::string_view id) {
  std::string name;
  for (char c : id) {
    if (c == ':')
      continue;
    name += (c == '/' || c == '[' || c == ']') ? '_' : c;
  }
  return name;
}

namespace {

/// The iteration path of an instance id ("llm:0[2][1]" → {2, 1}) and
/// the source id before it.
std::pair<std::string, std::vector<long>> splitInstance(const std::string &id) {
  size_t open = id.find('[');
  std::vector<long> path;
  for (size_t k = open; k != std::string::npos; k = id.find('[', k + 1))
    path.push_back(std::strtol(id.c_str() + k + 1, nullptr, 10));
  return {id.substr(0, open), path};
}

/// Python's repr of a list element, as Trace prints a list value.
std::string repr(const Value &v) {
  if (v.kind == ValueKind::List) {
    std::string s = "[";
    for (size_t k = 0; k < v.list.size(); ++k)
      s += (k ? ", " : "") + repr(v.list[k]);
    return s + "]";
  }
  if (v.kind != ValueKind::Text)
    return v.render();
  std::string s = "'";
  for (char c : v.text) {
    if (c == '\\' || c == '\'')
      s += '\\';
    if (c == '\n')
      s += "\\n";
    else
      s += c;
  }
  return s + "'";
}

/// A value as `(<type>) <py_name>=<value>` shows it: text as it is,
/// lists as Python prints them.
std::string show(const Value &v) {
  return v.kind == ValueKind::List ? repr(v) : v.render();
}

/// py_name → the rendered value the run gave it.
std::map<std::string, std::string>
runValues(const Json &sources, const std::vector<Value> &args,
          const Program &program, const std::map<std::string, Value> &overrides,
          const RunResult &run) {
  std::map<std::string, std::string> values;
  std::map<std::string, std::vector<std::pair<std::vector<long>, Value>>>
      iterated;
  for (const auto &[id, value] : run.values) {
    auto [source, path] = splitInstance(id);
    if (path.empty())
      values[pyName(id)] = show(value);
    else
      iterated[source].push_back({path, value});
  }
  for (auto &[source, instances] : iterated) {
    std::sort(instances.begin(), instances.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    std::vector<Value> list;
    for (auto &instance : instances)
      list.push_back(instance.second);
    values.try_emplace(pyName(source), show(Value::makeList(std::move(list))));
  }
  if (const Json *ids = sources.get("arguments"))
    for (size_t k = 0; k < ids->array.size() && k < args.size(); ++k)
      values[pyName(ids->array[k].string)] = show(args[k]);
  if (const Json *params = sources.get("parameters"))
    for (const auto &[id, name] : params->object) {
      auto override = overrides.find(name.string);
      if (override != overrides.end()) {
        values[pyName(id)] = show(override->second);
        continue;
      }
      for (const ParamDecl &decl : program.params)
        if (decl.name == name.string)
          values[pyName(id)] = show(decl.value);
    }
  return values;
}

} // namespace

bool fillTraceValues(std::string_view trace, const std::string &graph,
                     const std::vector<Value> &args, const Program &program,
                     const std::map<std::string, Value> &overrides,
                     const RunResult &run, const std::string &feedbackText,
                     std::string &out, std::string &error) {
  Json root;
  if (!parseJson(trace, root, error)) {
    error = "the embedded trace is not JSON: " + error;
    return false;
  }
  Json *entry = root.get(graph);
  Json *problem = entry ? entry->get("problem") : nullptr;
  const Json *sources = entry ? entry->get("sources") : nullptr;
  if (!problem || !sources) {
    error = "no trace for graph '" + graph +
            "' (only graphs with wf.feedback have one)";
    return false;
  }
  std::map<std::string, std::string> values =
      runValues(*sources, args, program, overrides, run);

  // `(<type>) <py_name>=<value>`: unknown values, and parameters, whose
  // run may have overridden them.
  for (const char *section : {"variables", "inputs", "others", "outputs"}) {
    Json *entries = problem->get(section);
    if (!entries)
      continue;
    for (Json &e : entries->array) {
      size_t name = e.string.find(") "), eq = e.string.find('=', name);
      if (name == std::string::npos || eq == std::string::npos)
        continue;
      auto value = values.find(e.string.substr(name + 2, eq - name - 2));
      bool unknown = e.string.compare(eq + 1, std::string::npos, "?") == 0;
      if (value != values.end() &&
          (unknown || std::string_view(section) == "variables"))
        e.string = e.string.substr(0, eq + 1) + value->second;
    }
  }
  // Feedback: `<py_name>: <text>` (full) or `<text>` (trace-compat).
  const Json *from = sources->get("feedback");
  Json *feedback = problem->get("feedback");
  if (from && feedback)
    for (size_t k = 0; k < feedback->array.size() && k < from->array.size();
         ++k) {
      std::string &text = feedback->array[k].string;
      size_t colon = text.rfind(": ?");
      bool unknown = text == "?" ||
                     (colon != std::string::npos && colon + 3 == text.size());
      if (!unknown)
        continue;
      if (from->array[k].kind != Json::Kind::String) {
        if (!feedbackText.empty())
          text = text.substr(0, text.size() - 1) + feedbackText;
        continue;
      }
      auto value = values.find(pyName(from->array[k].string));
      if (value != values.end())
        text = text.substr(0, text.size() - 1) + value->second;
    }
  Json result;
  result.kind = Json::Kind::Object;
  result.object.emplace_back(graph, std::move(*entry));
  out = writeJson(result);
  return true;
}

} // namespace mlir::loom::wfrt
