// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=roofline" | FileCheck %s
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=roofline replay=recompute" | FileCheck %s --check-prefix=RECOMPUTE
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi" | FileCheck %s --check-prefix=SHIPPED
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx2" | FileCheck %s --check-prefix=NO-SHIPPED
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=%S/Inputs/models" | FileCheck %s --check-prefix=LEARNED
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx2 cost-model=%S/Inputs/models" | FileCheck %s --check-prefix=OTHER-TARGET
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx2 cost-model=%S/Inputs/models" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NO-MODEL
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=roofline remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi cost-model=%S/Inputs/stale" -o /dev/null 2>&1 | FileCheck %s --check-prefix=STALE
// RUN: loom-opt %s -split-input-file --loom-decide="isa=avx512-vbmi weights=cache" | FileCheck %s --check-prefix=CACHED
// RUN: not loom-opt %s -split-input-file --loom-decide="weights=disk" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-WEIGHTS
// RUN: not loom-opt %s -split-input-file --loom-decide="replay=sometimes" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-REPLAY
// RUN: not loom-opt %s -split-input-file --loom-decide="isa=sse9" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-ISA
// BAD-WEIGHTS: error: loom-decide: weights must be dram or cache, got 'disk'
// BAD-REPLAY: error: loom-decide: replay must be keep or recompute, got 'sometimes'
// BAD-ISA: error: loom-decide: unknown isa 'sse9'
// BAD-ISA-NOT: see current operation
// RUN: not loom-opt %s -split-input-file --loom-decide="max-candidates=-1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD-COUNT
// BAD-COUNT: error: loom-decide: max-candidates must be 0 (all) or a count, got -1

!w = !lut.packed<256x512, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The roofline judges a dynamic N at N = 1, 8, 32 and 128: four columns
// per weight load stream the weights least often. It cannot see prefetching,
// so that knob keeps its first (hand-tuned) option.
// CHECK-LABEL: func.func @dynamic_n
// CHECK: lut.mpgemm {{.*}} {loom.decision = #loom.decision<"lut.gemm", {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "roofline", model = "roofline">}
// The test model prefers tiles under 3 columns (a tie the canonical order
// breaks towards 2), and names itself by target class, decision and hash.
// LEARNED-LABEL: func.func @dynamic_n
// LEARNED: {column_tile = 2 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "learned", model = "x86_64-avx512/lut.gemm@{{[0-9a-f]+}}"
// No model for avx2's class there: the roofline. By default (auto) the
// model shipped in models/ decides for its class, the roofline for others.
// SHIPPED-LABEL: func.func @dynamic_n
// SHIPPED: source = "learned", model = "x86_64-avx512/lut.gemm@{{[0-9a-f]+}}"
// NO-SHIPPED-LABEL: func.func @dynamic_n
// NO-SHIPPED: source = "roofline"
// OTHER-TARGET-LABEL: func.func @dynamic_n
// OTHER-TARGET: source = "roofline"
// A directory without the class's model falls back to the roofline, and
// says so.
// NO-MODEL: :[[@LINE+3]]:8: remark: no model {{.*}}Inputs/models/x86_64-avx2/lut.gemm.json; deciding by the roofline
// REMARK: remark: lut.gemm by roofline: [column_tile=4 prefetch=2048 gemv_prefetch=2048] {{.*}}; [column_tile=4 prefetch=2048 gemv_prefetch=0] {{.*}}; [column_tile=4 prefetch=2048 gemv_prefetch=512]
func.func @dynamic_n(%x: tensor<?x512xf32>, %w: !w) -> tensor<?x256xf32> {
  %y = lut.mpgemm %x, %w : tensor<?x512xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

!w = !lut.packed<256x512, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A static N rules out tiles wider than it.
// CHECK-LABEL: func.func @static_n
// CHECK: lut.mpgemm {{.*}} {column_tile = 1 : i64, prefetch = 2048 : i64}
// CHECK: lut.mpgemm {{.*}} {column_tile = 2 : i64, prefetch = 2048 : i64}
func.func @static_n(%x1: tensor<1x512xf32>, %x3: tensor<3x512xf32>, %w: !w) -> (tensor<1x256xf32>, tensor<3x256xf32>) {
  %y1 = lut.mpgemm %x1, %w : tensor<1x512xf32>, !w -> tensor<1x256xf32>
  %y3 = lut.mpgemm %x3, %w : tensor<3x512xf32>, !w -> tensor<3x256xf32>
  return %y1, %y3 : tensor<1x256xf32>, tensor<3x256xf32>
}

// -----

!w = !lut.packed<256x512, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// Where the weights come from is the caller's to say: streamed from DRAM
// (the default) the shipped model prefetches the stream; cached between
// calls, where its measurements found prefetches only cost issue slots, it
// does not.
// SHIPPED-LABEL: func.func @gemv
// SHIPPED: {column_tile = 1 : i64, prefetch = {{[1-9][0-9]*}} : i64}, source = "learned"
// CACHED-LABEL: func.func @gemv
// CACHED: {column_tile = 1 : i64, prefetch = 0 : i64}, source = "learned"
func.func @gemv(%x: tensor<1x512xf32>, %w: !w) -> tensor<1x256xf32> {
  %y = lut.mpgemm %x, %w : tensor<1x512xf32>, !w -> tensor<1x256xf32>
  return %y : tensor<1x256xf32>
}

// -----

!w = !lut.packed<4096x4096, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A dynamic N's GEMV is decided apart (gemv_prefetch): cached weights
// under int8 activations are not prefetched at N = 1, yet streamed ahead
// from N = 2 on, where each load feeds more lookups.
// SHIPPED-LABEL: func.func @dynamic_gemv
// SHIPPED: gemv_prefetch = {{[1-9][0-9]*}} : i64, prefetch = {{[1-9][0-9]*}} : i64}, source = "learned"
// CACHED-LABEL: func.func @dynamic_gemv
// CACHED: gemv_prefetch = 0 : i64, prefetch = {{[1-9][0-9]*}} : i64}, source = "learned"
func.func @dynamic_gemv(%x: tensor<?x4096xf32>, %w: !w) -> tensor<?x4096xf32> {
  %y = lut.mpgemm %x, %w {act_quant = #lut.act_quant<i8>} : tensor<?x4096xf32>, !w -> tensor<?x4096xf32>
  return %y : tensor<?x4096xf32>
}

// -----

!w = !lut.packed<256x512, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// A decision already made (here pinned by hand) is kept, unless asked to
// decide again.
// CHECK-LABEL: func.func @pinned
// CHECK: {column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = "user", model = "hand"
// RECOMPUTE-LABEL: func.func @pinned
// RECOMPUTE: {column_tile = 4 : i64, gemv_prefetch = 2048 : i64, prefetch = 2048 : i64}, source = "roofline"
// STALE: error: {{.*}}stale/x86_64-avx512/lut.gemm is stale: trained on schema hash 0123456789abcdef, the compiler's lut.gemm v4 is 8fb2a42cd6b7811a
func.func @pinned(%x: tensor<?x512xf32>, %w: !w) -> tensor<?x256xf32> {
  %y = lut.mpgemm %x, %w {loom.decision = #loom.decision<"lut.gemm", {column_tile = 1 : i64, gemv_prefetch = 0 : i64, prefetch = 0 : i64}, source = "user", model = "hand">} : tensor<?x512xf32>, !w -> tensor<?x256xf32>
  return %y : tensor<?x256xf32>
}

// -----

!w = !lut.packed<16384x16384, #lut.quant<ternary, group = per_tensor, scale = f32>, #lut.layout<bitplane, g = 4, lanes = 1x1, tile_m = 128>>

// The shipped model was trained on m, k up to 8192 (25 M weights) and N up
// to 64: a remark names the features of the chosen candidate beyond that
// range.
// RANGE: remark: lut.gemm by x86_64-avx512/lut.gemm@{{.*}} outside the model's training range: m k {{.*}}n
func.func @beyond_training(%x: tensor<?x16384xf32>, %w: !w) -> tensor<?x16384xf32> {
  %y = lut.mpgemm %x, %w : tensor<?x16384xf32>, !w -> tensor<?x16384xf32>
  return %y : tensor<?x16384xf32>
}
