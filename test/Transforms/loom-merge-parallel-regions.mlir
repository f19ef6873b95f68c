// RUN: loom-opt %s -split-input-file --loom-merge-parallel-regions | FileCheck %s

// Two teams in a row, the second inside a loop over column blocks and
// writing into a buffer allocated between them: one team; the alloc runs
// once, before it, and the second worksharing loop binds to the merged team
// from inside the loop that every thread runs.
// CHECK-LABEL: func.func @precompute_then_kernel
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK-NEXT: omp.parallel {
// CHECK: omp.wsloop {
// CHECK: memref.store {{.*}} %[[TABLE:.*]][
// CHECK: arith.ceildivui
// CHECK-NEXT: scf.for
// CHECK-NOT: omp.parallel
// CHECK: omp.wsloop {
// CHECK: memref.load %[[TABLE]]
// CHECK: omp.terminator
// CHECK-NOT: omp.parallel
// CHECK: return %[[OUT]]
func.func @precompute_then_kernel(%x: memref<?xf32>, %table: memref<?xf32>, %n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %v = memref.load %x[%i] : memref<?xf32>
        memref.store %v, %table[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %out = memref.alloc(%n) : memref<?xf32>
  %blocks = arith.ceildivui %n, %c128 : index
  scf.for %b = %c0 to %blocks step %c1 {
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
          %v = memref.load %table[%i] : memref<?xf32>
          memref.store %v, %out[%i] : memref<?xf32>
          omp.yield
        }
      }
      omp.terminator
    }
  }
  return %out : memref<?xf32>
}

// -----

// A team whose body does not end in a worksharing loop (here one that does
// not wait) gets a barrier in place of its join.
// CHECK-LABEL: func.func @nowait_gets_a_barrier
// CHECK: omp.parallel {
// CHECK: omp.wsloop nowait {
// CHECK: omp.barrier
// CHECK-NEXT: omp.wsloop {
// CHECK-NOT: omp.barrier
// CHECK: omp.terminator
func.func @nowait_gets_a_barrier(%a: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop nowait {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %v = memref.load %a[%i] : memref<?xf32>
        memref.store %v, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        %v = memref.load %a[%i] : memref<?xf32>
        memref.store %v, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A store between the teams would run in every thread: no merge.
// CHECK-LABEL: func.func @store_between
// CHECK-COUNT-2: omp.parallel {
func.func @store_between(%a: memref<?xf32>, %n: index, %f: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  memref.store %f, %a[%c0] : memref<?xf32>
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return
}

// -----

// A loop bound read from memory might differ between threads, and a team
// with a clause is not plain: neither is merged.
// CHECK-LABEL: func.func @not_plain
// CHECK-COUNT-3: omp.parallel
func.func @not_plain(%a: memref<?xf32>, %sizes: memref<1xindex>, %n: index, %f: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : i32
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  omp.parallel num_threads(%c2 : i32) {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %m = memref.load %sizes[%c0] : memref<1xindex>
  scf.for %b = %c0 to %m step %c1 {
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
          memref.store %f, %a[%i] : memref<?xf32>
          omp.yield
        }
      }
      omp.terminator
    }
  }
  return
}

// -----

// A value computed between the teams and used after them keeps them apart
// (the merged team has no results).
// CHECK-LABEL: func.func @value_escapes
// CHECK-COUNT-2: omp.parallel {
func.func @value_escapes(%a: memref<?xf32>, %n: index, %f: f32) -> index {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  %half = arith.divui %n, %c1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%half) step (%c1) {
        memref.store %f, %a[%i] : memref<?xf32>
        omp.yield
      }
    }
    omp.terminator
  }
  return %half : index
}
