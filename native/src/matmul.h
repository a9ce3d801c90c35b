#pragma once
#include <node_api.h>

// matmul(a, b, bias|null, c, dims[batchA, batchB, m, k, n], transposeA, transposeB, relu):
// c[batch, m, n] = op(a) · op(b) (+ bias[n]) (relu), a batch of 1 broadcasting.
napi_value Matmul(napi_env env, napi_callback_info info);
