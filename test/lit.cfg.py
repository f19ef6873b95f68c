# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Loom"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "integration", "c_api_test.c", "check_rows.py",
                   "Inputs"]

config.environment["FILECHECK_OPTS"] = "--enable-var-scope"
config.substitutions.append(("%PATH%", config.environment["PATH"]))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    [ToolSubst("loom-opt", unresolved="fatal"),
     ToolSubst("loom-compile", unresolved="fatal"),
     ToolSubst("loom-run", unresolved="fatal")], [config.loom_tools_dir])
# Debian's interpreter, which has numpy (the first python3 on PATH may not).
config.substitutions.append(("%python", "/usr/bin/python3"))

# A C compiler for the programs that call compiled models, and the runtime
# headers they include.
config.substitutions.append(("%cc", os.path.join(config.llvm_tools_dir, "clang")))
config.substitutions.append(("%loom_include", os.path.join(config.loom_src_root, "include")))
config.substitutions.append(("%loom_src", config.loom_src_root))
config.substitutions.append(("%loom_build", config.loom_obj_root))

# loom-tune is built where libxgboost-dev is installed.
if os.path.exists(os.path.join(config.loom_tools_dir, "loom-tune")):
    config.available_features.add("loom-tune")
    llvm_config.add_tool_substitutions([ToolSubst("loom-tune")],
                                       [config.loom_tools_dir])

# Code parameters run in embedded Python (the LOOM_ENABLE_PYTHON option).
if config.loom_python_code in ("ON", "1", "TRUE"):
    config.available_features.add("python-code")

# A CPU feature this host lacks, for testing models compiled for another
# CPU; and whether its kernels are AVX-512's (32 vector registers, the
# knob spaces loom-tune measures here).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = cpuinfo.read()
    if "avx512_fp16" not in flags:
        config.available_features.add("host-lacks-avx512fp16")
    if "avx512bw" in flags:
        config.available_features.add("host-avx512")
except OSError:
    pass

# The GPU path: NVPTX code generation (in Debian's LLVM), ptxas to assemble
# the PTX where the CUDA toolkit is installed (never needed to build Loom),
# and a CUDA device to run kernels on.
import ctypes
import shutil
import subprocess

llc = os.path.join(config.llvm_tools_dir, "llc")
if os.path.exists(llc) and "nvptx64" in subprocess.run(
        [llc, "--version"], capture_output=True, text=True).stdout:
    config.available_features.add("nvptx")
ptxas = shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
    # The toolkit's stub driver: every driver API symbol, each call failing.
    stub = os.path.join(os.path.dirname(ptxas), "..", "lib64", "stubs", "libcuda.so")
    if os.path.exists(stub):
        config.available_features.add("cuda-stub")
        config.substitutions.append(("%cuda_stub", os.path.realpath(stub)))
# Loom's counting driver (test/fake-cuda): the GPU libraries' driver
# traffic, checked without a GPU.
fake_cuda = os.path.join(config.loom_obj_root, "test", "fake-cuda")
if os.path.exists(os.path.join(fake_cuda, "libcuda.so.1")):
    config.available_features.add("fake-cuda")
    config.substitutions.append(("%fake_cuda_dir", fake_cuda))
try:
    cuda = ctypes.CDLL("libcuda.so.1")
    devices = ctypes.c_int(0)
    if cuda.cuInit(0) == 0 and cuda.cuDeviceGetCount(ctypes.byref(devices)) == 0 \
            and devices.value > 0:
        config.available_features.add("cuda")
except OSError:
    pass
