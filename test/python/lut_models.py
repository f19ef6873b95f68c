"""MLIR models the Python front end cannot build: lut weights with zero
points (loom.lut.quantize writes mins for unsigned codes)."""
import numpy as np

_ZERO_POINT_MODEL = """
!w = !lut.packed<{m}x{k}, #lut.quant<unsigned, bits = 4, group = {group}, scale = f16, offset = zero_point>, #lut.layout<{layout}>>
func.func @gemm(%x: tensor<?x{k}xf32>) -> tensor<?x{m}xf32> {{
  %c = arith.constant dense<{codes}> : tensor<{m}x{k}xi8>
  %s = arith.constant dense<{scales}> : tensor<{m}x{groups}xf16>
  %z = arith.constant dense<{zeros}> : tensor<{m}x{groups}xi8>
  %w = lut.pack %c, %s, %z : tensor<{m}x{k}xi8>, tensor<{m}x{groups}xf16>, tensor<{m}x{groups}xi8> -> !w
  %y = lut.mpgemm %x, %w {{act_quant = #lut.act_quant<i8{block}>}} : tensor<?x{k}xf32>, !w -> tensor<?x{m}xf32>
  return %y : tensor<?x{m}xf32>
}}
"""


def _literal(array):
    return np.array2string(array, separator=", ", threshold=10**7,
                           floatmode="unique").replace("\n", "")


def zero_point_gemm(path, rng, m, k, group, act_block=0, layout="codes"):
    """Writes an int8-activation lut.mpgemm over random unsigned 4-bit codes
    with f16 scales and zero points (groups of `group` K) to `path`; returns
    the codes, scales (as f32) and zero points."""
    groups = k // group
    codes = rng.integers(0, 16, (m, k))
    scales = rng.uniform(0.01, 0.1, (m, groups)).astype(np.float16).astype(np.float32)
    zeros = rng.integers(0, 16, (m, groups))
    layout = "codes" if layout == "codes" else "bitplane, g = 4, lanes = 1x1, tile_m = 128"
    path.write_text(_ZERO_POINT_MODEL.format(
        m=m, k=k, group=group, groups=groups, layout=layout,
        block=f", block = {act_block}" if act_block else "",
        codes=_literal(codes), scales=_literal(scales), zeros=_literal(zeros)))
    return codes, scales, zeros


def exact_contract(x, row_scales, values):
    """lut.md 1.4's bit-exact result for one segment per row: x quantized
    per row as lut.md 1.3 does it in f32, acc = sum x_q * values (the
    integers v(q) - z of each row), y = fl(fl(s_x * s_w) * fl(acc))."""
    sx = (np.abs(x).max(axis=1, keepdims=True) / np.float32(127)).astype(np.float32)
    xq = np.clip(np.rint(x / sx), -127, 127).astype(np.int64)
    product = (sx * np.asarray(row_scales, np.float32)[None, :]).astype(np.float32)
    return (product * (xq @ np.asarray(values, np.int64).T).astype(np.float32)).astype(np.float32)
