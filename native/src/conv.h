#pragma once
#include <node_api.h>

// conv2dForward(x, xDims, w, wDims, bias|null, y, yDims, geometry, relu)
napi_value Conv2dForward(napi_env env, napi_callback_info info);
// conv2dBackwardData(dy, dyDims, w, wDims, dx, dxDims, geometry)
napi_value Conv2dBackwardData(napi_env env, napi_callback_info info);
// conv2dBackwardWeights(x, xDims, dy, dyDims, dw, wDims, geometry)
napi_value Conv2dBackwardWeights(napi_env env, napi_callback_info info);
