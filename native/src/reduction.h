#pragma once
#include <node_api.h>

// reduce(op, x, dims, reduced, out): sum (op 0) or mean (op 1) of x (dense, row-major, rank
// 1–6) over the axes flagged in `reduced` (0/1 per axis); out holds the kept axes' elements.
napi_value Reduce(napi_env env, napi_callback_info info);
