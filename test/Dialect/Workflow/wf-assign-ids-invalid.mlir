// RUN: loom-opt %s -split-input-file --wf-assign-ids -verify-diagnostics

// A graph that carries ids keeps them, but they must be unique: a copied
// node without its own id would merge two nodes' traces.
wf.graph @copied() -> i64 attributes {wf.params = {}} {
  // expected-note @+1 {{first given here}}
  %a = wf.const {wf.id = "int:0"} 2 : i64
  // expected-error @+1 {{duplicate wf.id 'int:0' in graph @copied}}
  %b = wf.const {wf.id = "int:0"} 3 : i64
  wf.return %b : i64
}

// -----

// A node id may not reuse an argument's.
// expected-note @+1 {{first given here}}
wf.graph @shadow(%x: i64 {wf.id = "x:0"}) -> i64 attributes {wf.params = {}} {
  // expected-error @+1 {{duplicate wf.id 'x:0' in graph @shadow}}
  %a = wf.const {wf.id = "x:0"} 2 : i64
  wf.return %a : i64
}
