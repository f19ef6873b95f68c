//===- InitAllPasses.cpp - Register Loom's and upstream passes ------------===//

#include "loom/InitAllPasses.h"

#include "loom/Conversion/Passes.h"
#include "loom/Dialect/Lut/Transforms/Passes.h"
#include "loom/Dialect/MoE/Transforms/Passes.h"
#include "loom/Dialect/Workflow/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Affine/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

void mlir::loom::registerAllPasses() {
  lut::registerLutPasses();
  moe::registerMoEPasses();
  wf::registerWfPasses();
  registerLoomConversionPasses();
  registerLoomTransformsPasses();
  registerPipelines();

  registerTransformsPasses();
  registerConversionPasses();
  affine::registerAffinePasses();
  bufferization::registerBufferizationPasses();
  registerLinalgPasses();
  registerGPUPasses();
  memref::registerMemRefPasses();
  registerSCFPasses();
}
