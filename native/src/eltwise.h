#pragma once
#include <node_api.h>

// reluForward(x, y): y = max(x, 0), any shape (flat buffers of equal length).
napi_value ReluForward(napi_env env, napi_callback_info info);
