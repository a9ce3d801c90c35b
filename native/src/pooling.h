#pragma once
#include <node_api.h>

napi_value Pool2dForward(napi_env env, napi_callback_info info);
napi_value Pool2dBackward(napi_env env, napi_callback_info info);
