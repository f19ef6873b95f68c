// RUN: loom-opt %s -split-input-file -verify-diagnostics --loom-gpu-device-copies | FileCheck %s

// Each memref operand gets a device buffer; the ones the kernel reads are
// copied in, the ones it writes copied back, and freed after the launch;
// the copies of arguments that nothing writes are freed at the return
// (later launches could share them).
// CHECK-LABEL: func.func @stage
// CHECK-SAME: (%[[A:.*]]: memref<?x8xf32>, %[[B:.*]]: memref<16xi32>, %[[C:.*]]: memref<?x8xf32>)
// CHECK: %[[N:.*]] = memref.dim %[[A]], %c0
// CHECK: %[[DA:.*]] = gpu.alloc (%[[N]]) : memref<?x8xf32>
// CHECK: gpu.memcpy %[[DA]], %[[A]]
// CHECK: %[[DB:.*]] = gpu.alloc () : memref<16xi32>
// CHECK: gpu.memcpy %[[DB]], %[[B]]
// CHECK: %[[DC:.*]] = gpu.alloc (%{{.*}}) : memref<?x8xf32>
// CHECK-NOT: gpu.memcpy %[[DC]], %[[C]]
// CHECK: gpu.launch_func @kernels::@k blocks in ({{.*}}) threads in ({{.*}}) args(%[[DA]] : memref<?x8xf32>, %[[DB]] : memref<16xi32>, %[[DC]] : memref<?x8xf32>)
// CHECK-NEXT: gpu.memcpy %[[C]], %[[DC]]
// CHECK-NEXT: gpu.dealloc %[[DC]]
// CHECK-NEXT: gpu.dealloc %[[DA]]
// CHECK-NEXT: gpu.dealloc %[[DB]]
// CHECK-NEXT: return
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<?x8xf32>, %b: memref<16xi32>, %c: memref<?x8xf32>) kernel {
      %i = gpu.thread_id x
      %j = arith.constant 0 : index
      %v = memref.load %a[%i, %j] : memref<?x8xf32>
      %w = memref.load %b[%j] : memref<16xi32>
      memref.store %v, %c[%i, %j] : memref<?x8xf32>
      gpu.return
    }
  }
  func.func @stage(%a: memref<?x8xf32>, %b: memref<16xi32>, %c: memref<?x8xf32>) {
    %one = arith.constant 1 : index
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%a : memref<?x8xf32>, %b : memref<16xi32>, %c : memref<?x8xf32>)
    return
  }
}

// -----

// A constant global the kernel only reads is the runtime's resident device
// copy (uploaded once per process), through MLIR's C interface.
// CHECK-LABEL: func.func @resident
// CHECK: %[[W:.*]] = memref.get_global @weights : memref<16xi32>
// CHECK: %[[ANY:.*]] = memref.cast %[[W]] : memref<16xi32> to memref<?xi32>
// CHECK: %[[DEV:.*]] = call @loom_gpu_constant_i32(%[[ANY]]) : (memref<?xi32>) -> memref<?xi32>
// CHECK: %[[DW:.*]] = memref.cast %[[DEV]] : memref<?xi32> to memref<16xi32>
// CHECK-NOT: gpu.memcpy %{{.*}}, %[[W]]
// CHECK: gpu.launch_func @kernels::@k {{.*}} args(%[[DW]] : memref<16xi32>, %{{.*}} : memref<16xi32>)
// CHECK-NOT: gpu.dealloc %[[DW]]
// CHECK: func.func private @loom_gpu_constant_i32(memref<?xi32>) -> memref<?xi32> attributes {llvm.emit_c_interface}
module attributes {gpu.container_module} {
  memref.global "private" constant @weights : memref<16xi32> = dense<7>
  gpu.module @kernels {
    gpu.func @k(%w: memref<16xi32>, %out: memref<16xi32>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %w[%i] : memref<16xi32>
      memref.store %v, %out[%i] : memref<16xi32>
      gpu.return
    }
  }
  func.func @resident(%out: memref<16xi32>) {
    %one = arith.constant 1 : index
    %w = memref.get_global @weights : memref<16xi32>
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%w : memref<16xi32>, %out : memref<16xi32>)
    return
  }
}

// -----

// Half-precision weights (a bf16 MoE layer's) are resident too.
// CHECK-LABEL: func.func @resident_bf16
// CHECK: call @loom_gpu_constant_bf16(%{{.*}}) : (memref<?xbf16>) -> memref<?xbf16>
// CHECK: func.func private @loom_gpu_constant_bf16(memref<?xbf16>) -> memref<?xbf16> attributes {llvm.emit_c_interface}
module attributes {gpu.container_module} {
  memref.global "private" constant @weights : memref<16xbf16> = dense<0.5>
  gpu.module @kernels {
    gpu.func @k(%w: memref<16xbf16>, %out: memref<16xbf16>) kernel {
      %i = gpu.thread_id x
      %v = memref.load %w[%i] : memref<16xbf16>
      memref.store %v, %out[%i] : memref<16xbf16>
      gpu.return
    }
  }
  func.func @resident_bf16(%out: memref<16xbf16>) {
    %one = arith.constant 1 : index
    %w = memref.get_global @weights : memref<16xbf16>
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%w : memref<16xbf16>, %out : memref<16xbf16>)
    return
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<4xf32, strided<[2]>>) kernel {
      gpu.return
    }
  }
  func.func @strided(%a: memref<4xf32, strided<[2]>>) {
    %one = arith.constant 1 : index
    // expected-error @below {{'gpu.launch_func' op has a memref operand with a layout ('memref<4xf32, strided<[2]>>'): only contiguous buffers are staged}}
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%a : memref<4xf32, strided<[2]>>)
    return
  }
}

// -----

// A buffer only kernels touch (the host allocates, sizes and frees it) is
// allocated in device memory alone: one kernel writes it, the next reads
// it, and it is never copied. The result the host returns is staged.
// CHECK-LABEL: func.func @kernels_only
// CHECK: %[[H:.*]] = gpu.alloc (%{{.*}}) : memref<?x8xf32>
// CHECK-NOT: gpu.memcpy %[[H]],
// CHECK-NOT: gpu.memcpy %{{.*}}, %[[H]] :
// CHECK: gpu.launch_func @kernels::@k {{.*}} args(%{{.*}} : memref<?x8xf32>, %{{.*}} : memref<16xi32>, %[[H]] : memref<?x8xf32>)
// CHECK-NOT: gpu.memcpy %[[H]],
// CHECK-NOT: gpu.memcpy %{{.*}}, %[[H]] :
// CHECK: gpu.launch_func @kernels::@k {{.*}} args(%[[H]] : memref<?x8xf32>, %{{.*}} : memref<16xi32>, %[[DY:.*]] : memref<?x8xf32>)
// CHECK-NEXT: gpu.memcpy %[[Y:.*]], %[[DY]]
// CHECK: gpu.dealloc %[[H]]
// CHECK-NOT: memref.dealloc
// CHECK: return %[[Y]]
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<?x8xf32>, %b: memref<16xi32>, %c: memref<?x8xf32>) kernel {
      %i = gpu.thread_id x
      %j = arith.constant 0 : index
      %v = memref.load %a[%i, %j] : memref<?x8xf32>
      memref.store %v, %c[%i, %j] : memref<?x8xf32>
      gpu.return
    }
  }
  func.func @kernels_only(%x: memref<?x8xf32>, %b: memref<16xi32>) -> memref<?x8xf32> {
    %one = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %n = memref.dim %x, %c0 : memref<?x8xf32>
    %h = memref.alloc(%n) : memref<?x8xf32>
    %y = memref.alloc(%n) : memref<?x8xf32>
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%x : memref<?x8xf32>, %b : memref<16xi32>, %h : memref<?x8xf32>)
    gpu.launch_func @kernels::@k blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%h : memref<?x8xf32>, %b : memref<16xi32>, %y : memref<?x8xf32>)
    memref.dealloc %h : memref<?x8xf32>
    return %y : memref<?x8xf32>
  }
}

// -----

// A buffer whose writes all come before a launch crosses the bus once,
// for every launch after it: the routing launch's copy of %x serves the
// GEMM launch in a branch after it. %z, which the host writes after a
// first launch has read it, is staged for that launch alone, and once
// more after the write, for the two launches that follow.
// CHECK-LABEL: func.func @shared_input
// CHECK-SAME: (%[[X:.*]]: memref<?x8xf32>, %[[Y:.*]]: memref<?x8xf32>, %[[Z:.*]]: memref<?x8xf32>, %[[C:.*]]: i1)
// CHECK: %[[DX:.*]] = gpu.alloc (%{{.*}}) : memref<?x8xf32>
// CHECK-NEXT: gpu.memcpy %[[DX]], %[[X]] :
// CHECK: gpu.launch_func @kernels::@read {{.*}} args(%[[DX]] : memref<?x8xf32>, %{{.*}} : memref<?x8xf32>)
// CHECK: scf.if
// CHECK-NOT: gpu.memcpy %{{.*}}, %[[X]]
// CHECK: gpu.launch_func @kernels::@read {{.*}} args(%[[DX]] : memref<?x8xf32>, %{{.*}} : memref<?x8xf32>)
// CHECK: }
// CHECK: %[[DZ:.*]] = gpu.alloc (%{{.*}}) : memref<?x8xf32>
// CHECK-NEXT: gpu.memcpy %[[DZ]], %[[Z]] :
// CHECK: gpu.launch_func @kernels::@read {{.*}} args(%[[DZ]] : memref<?x8xf32>
// CHECK: gpu.dealloc %[[DZ]] :
// CHECK: memref.store %{{.*}}, %[[Z]]
// CHECK: %[[DZ2:.*]] = gpu.alloc (%{{.*}}) : memref<?x8xf32>
// CHECK-NEXT: gpu.memcpy %[[DZ2]], %[[Z]] :
// CHECK: gpu.launch_func @kernels::@read {{.*}} args(%[[DZ2]] : memref<?x8xf32>
// CHECK-NOT: gpu.memcpy %{{.*}}, %[[Z]]
// CHECK: gpu.launch_func @kernels::@read {{.*}} args(%[[DZ2]] : memref<?x8xf32>
// CHECK: gpu.dealloc %[[DX]] :
// CHECK-NEXT: gpu.dealloc %[[DZ2]] :
// CHECK-NEXT: return
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @read(%a: memref<?x8xf32>, %out: memref<?x8xf32>) kernel {
      %i = gpu.thread_id x
      %j = arith.constant 0 : index
      %v = memref.load %a[%i, %j] : memref<?x8xf32>
      memref.store %v, %out[%i, %j] : memref<?x8xf32>
      gpu.return
    }
  }
  func.func @shared_input(%x: memref<?x8xf32>, %y: memref<?x8xf32>, %z: memref<?x8xf32>, %c: i1) {
    %one = arith.constant 1 : index
    %zero = arith.constant 0 : index
    %f = arith.constant 1.0 : f32
    gpu.launch_func @kernels::@read blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%x : memref<?x8xf32>, %y : memref<?x8xf32>)
    scf.if %c {
      gpu.launch_func @kernels::@read blocks in (%one, %one, %one) threads in (%one, %one, %one)
          args(%x : memref<?x8xf32>, %y : memref<?x8xf32>)
    }
    gpu.launch_func @kernels::@read blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%z : memref<?x8xf32>, %y : memref<?x8xf32>)
    memref.store %f, %z[%zero, %zero] : memref<?x8xf32>
    gpu.launch_func @kernels::@read blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%z : memref<?x8xf32>, %y : memref<?x8xf32>)
    gpu.launch_func @kernels::@read blocks in (%one, %one, %one) threads in (%one, %one, %one)
        args(%z : memref<?x8xf32>, %y : memref<?x8xf32>)
    return
  }
}
