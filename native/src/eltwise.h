#pragma once
#include <node_api.h>

// reluForward(x, y): y = max(x, 0), any shape (flat buffers of equal length).
napi_value ReluForward(napi_env env, napi_callback_info info);
// reluBackward(x, dy, dx): dx = dy where x > 0, else 0 (TF.js's step(x) · dy).
napi_value ReluBackward(napi_env env, napi_callback_info info);
