#pragma once
#include <node_api.h>

// binary(op, a, aDims, b, bDims, out, outDims): out = a op b with NumPy broadcasting; op 0 add,
// 1 subtract, 2 multiply, 3 power; dims of equal rank (1–6; pad with leading 1s), each of
// aDims/bDims equal to outDims or 1.
napi_value Binary(napi_env env, napi_callback_info info);
// unary(op, x, out): op 0 abs, 1 square, 2 negate, 3 sqrt.
napi_value Unary(napi_env env, napi_callback_info info);
// reluGrad(x, dy, dx): dx = dy · step(x), TF.js's Relu gradient.
napi_value ReluGrad(napi_env env, napi_callback_info info);
// batchNormInference(x, channels, mean, variance, offset|null, scale|null, epsilon, out): per
// channel (the last axis) with given statistics, TF.js's FusedBatchNorm.
napi_value BatchNormInference(napi_env env, napi_callback_info info);
