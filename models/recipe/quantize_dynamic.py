"""A small re-implementation of ONNX Runtime's dynamic quantization (onnxruntime is not installable here).

Rewrites an fp32 graph the way `onnxruntime.quantization.quantize_dynamic(model, out,
weight_type=QuantType.QUInt8, per_channel=False, reduce_range=False)` does in IntegerOps mode:

1. Pre-processing (ONNXQuantizer.replace_gemm_with_matmul): every Gemm with a constant B, alpha = beta
   = 1 and transA = 0 becomes MatMul(A, B or B^T as a new initializer "<B>_Transposed") [+ Add(C)], so
   that classifier heads exported as Gemm are quantized too.
2. Every MatMul whose B is a constant 2-D float initializer (operators/matmul.py, MatMulInteger):
     x -> DynamicQuantizeLinear -> (x_quantized uint8, x_scale, x_zero_point)   [one per activation,
                                                                                 shared by its readers]
     W -> W_quantized (uint8, per tensor, asymmetric over [min(0, W), max(0, W)]), W_scale, W_zero_point
     MatMulInteger(x_quantized, W_quantized, x_zero_point, W_zero_point) -> int32
     Cast(to float) ; Mul(x_scale, W_scale) ; Mul(cast, scales) -> the MatMul's original output
   so a following Add(bias) is untouched. Other MatMuls (attention scores) stay fp32, as in ORT.
"""
from typing import Dict, List

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _quantize_weight_uint8(w: np.ndarray):
    """ORT's quantize_data for QUInt8, symmetric=False: the range always includes 0."""
    rmin = min(float(w.min()), 0.0)
    rmax = max(float(w.max()), 0.0)
    scale = np.float32((rmax - rmin) / 255.0) if rmax > rmin else np.float32(1.0)
    zero_point = np.uint8(np.clip(np.round(-rmin / scale), 0, 255))
    q = np.clip(np.round(w / scale) + float(zero_point), 0, 255).astype(np.uint8)
    return q, scale, zero_point


def _gemm_to_matmul(model: onnx.ModelProto) -> int:
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    nodes: List[onnx.NodeProto] = []
    converted = 0
    for n in g.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        ok = (n.op_type == "Gemm" and n.input[1] in inits and attrs.get("alpha", 1.0) == 1.0
              and attrs.get("beta", 1.0) == 1.0 and attrs.get("transA", 0) == 0)
        if not ok:
            nodes.append(n)
            continue
        b_name = n.input[1]
        if attrs.get("transB", 0):
            bt = numpy_helper.to_array(inits[b_name]).T.copy()
            b_name = n.input[1] + "_Transposed"
            g.initializer.append(numpy_helper.from_array(bt, b_name))
        has_c = len(n.input) > 2 and n.input[2] != ""
        mm_out = n.output[0] + "_MatMul" if has_c else n.output[0]
        nodes.append(helper.make_node("MatMul", [n.input[0], b_name], [mm_out], name=n.name + "_MatMul"))
        if has_c:
            nodes.append(helper.make_node("Add", [mm_out, n.input[2]], [n.output[0]], name=n.name + "_Add"))
        converted += 1
    del g.node[:]
    g.node.extend(nodes)
    return converted


def quantize_dynamic_uint8(model: onnx.ModelProto) -> Dict[str, int]:
    """Rewrites `model` in place; returns counts of what was converted."""
    gemms = _gemm_to_matmul(model)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    quantized_act: Dict[str, tuple] = {}
    quantized_w: Dict[str, tuple] = {}
    nodes: List[onnx.NodeProto] = []
    matmuls = 0
    for n in g.node:
        w = inits.get(n.input[1]) if n.op_type == "MatMul" else None
        if w is None or w.data_type != TensorProto.FLOAT or len(w.dims) != 2:
            nodes.append(n)
            continue
        x = n.input[0]
        if x not in quantized_act:
            names = (x + "_quantized", x + "_scale", x + "_zero_point")
            nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(names), name=x + "_QuantizeLinear"))
            quantized_act[x] = names
        if w.name not in quantized_w:
            q, scale, zp = _quantize_weight_uint8(numpy_helper.to_array(w))
            names = (w.name + "_quantized", w.name + "_scale", w.name + "_zero_point")
            g.initializer.extend([
                numpy_helper.from_array(q, names[0]),
                numpy_helper.from_array(np.array(scale, dtype=np.float32), names[1]),
                numpy_helper.from_array(np.array(zp, dtype=np.uint8), names[2]),
            ])
            quantized_w[w.name] = names
        xq, xs, xz = quantized_act[x]
        wq, ws, wz = quantized_w[w.name]
        out = n.output[0]
        mmi = out + "_output_quantized"
        cast = mmi + "_cast_output"
        scales = n.name + "_scales_mul:0"
        nodes.extend([
            helper.make_node("MatMulInteger", [xq, wq, xz, wz], [mmi], name=n.name + "_quant"),
            helper.make_node("Cast", [mmi], [cast], name=mmi + "_cast", to=TensorProto.FLOAT),
            helper.make_node("Mul", [xs, ws], [scales], name=n.name + "_scales_mul"),
            helper.make_node("Mul", [cast, scales], [out], name=n.name + "_output_scale_mul"),
        ])
        matmuls += 1
    del g.node[:]
    g.node.extend(nodes)
    # The fp32 weights no longer read by any node are dropped, as ORT's remove_unused_constant does.
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    onnx.checker.check_model(model)
    return {"gemm_to_matmul": gemms, "matmul_integer": matmuls, "activations": len(quantized_act)}
