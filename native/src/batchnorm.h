#pragma once
#include <node_api.h>

// batchNormForward(x, dims[n,h,w,c], gamma, beta, y, mean, variance, epsilon): training mode,
// batch statistics (variance biased, as TF.js's moments).
napi_value BatchNormForward(napi_env env, napi_callback_info info);
// batchNormBackward(x, dims, dy, gamma, mean, variance, dx, dgamma, dbeta, epsilon): the full
// gradient through the batch statistics.
napi_value BatchNormBackward(napi_env env, napi_callback_info info);
