#pragma once
#include <node_api.h>

// binary(op, a, b, out): out = a op b elementwise, op 0 add, 1 subtract, 2 multiply; a and b
// of out's length, or either of length 1 (a scalar broadcast).
napi_value Binary(napi_env env, napi_callback_info info);
// reluGrad(x, dy, dx): dx = x > 0 ? dy : 0.
napi_value ReluGrad(napi_env env, napi_callback_info info);
