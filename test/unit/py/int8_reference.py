"""Independent reference for the TypeScript int8 quantizer: ONNX Runtime's QInt8 weight math written
directly in numpy (quant_utils.compute_scale_zp(symmetric=True) + quantize_nparray), applied to every
MatMul/Gemm weight of the fp32 graph and compared exactly with the initializers of the quantized graph.

usage: int8_reference.py FP32.onnx INT8.onnx per_channel(0|1) reduce_range(0|1); prints JSON."""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def quantize(w, per_channel, reduce_range):
    qmin, qmax = (-64, 64) if reduce_range else (-127, 127)
    cols = [w[:, j] for j in range(w.shape[1])] if per_channel else [w.ravel()]
    scales, qs = [], []
    for c in cols:
        rmin = np.minimum(c.min(), np.float32(0))
        rmax = np.maximum(c.max(), np.float32(0))
        absmax = np.maximum(np.abs(rmin), np.abs(rmax))
        scale = np.array(np.float64(absmax + absmax) / np.float64(qmax - qmin))
        scale = np.float32(1.0) if scale < np.finfo(np.float32).tiny else scale.astype(np.float32)
        scales.append(scale)
    scales = np.array(scales, dtype=np.float32)
    q = np.clip((w.astype(np.float32) / (scales if per_channel else scales[0])).round(), qmin, qmax).astype(np.int8)
    return q, scales


def main(fp32_path, int8_path, per_channel, reduce_range):
    fp = onnx.load(fp32_path)
    qm = onnx.load(int8_path)
    onnx.checker.check_model(qm)
    inits = {i.name: numpy_helper.to_array(i) for i in fp.graph.initializer}
    qinits = {i.name: numpy_helper.to_array(i) for i in qm.graph.initializer}
    checked, mismatches, weights = 0, [], set()
    for n in fp.graph.node:
        if n.op_type not in ("MatMul", "Gemm") or n.input[1] not in inits or inits[n.input[1]].ndim != 2:
            continue
        w = inits[n.input[1]]
        name = n.input[1]
        weights.add(name)
        if n.op_type == "Gemm" and any(a.name == "transB" and a.i == 1 for a in n.attribute):
            w, name = w.T.copy(), name + "_Transposed"
        q, scales = quantize(w, per_channel, reduce_range)
        ours_q, ours_s = qinits[name + "_quantized"], qinits[name + "_scale"]
        checked += 1
        if ours_q.dtype != np.int8 or not np.array_equal(ours_q, q) or not np.array_equal(ours_s.ravel(), scales.ravel()):
            mismatches.append(name)
        if int(qinits[name + "_zero_point"]) != 0:
            mismatches.append(name + " zero point")
    ops = sorted({n.op_type for n in qm.graph.node})
    left = sorted(i.name for i in qm.graph.initializer if i.name in weights)
    print(json.dumps({"checked": checked, "mismatches": mismatches, "ops": ops, "fp32_weights_left": left,
                      "max_abs_q": int(max(np.abs(v).max() for k, v in qinits.items() if k.endswith("_quantized")))}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4] == "1")
