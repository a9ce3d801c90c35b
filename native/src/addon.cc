// Entry point: the functions the TypeScript backend (src/backend/onednn/) calls.
#include <node_api.h>

#include "batchnorm.h"
#include "buffers.h"
#include "conv.h"
#include "eltwise.h"
#include "elementwise.h"
#include "engine.h"
#include "matmul.h"
#include "napi_util.h"
#include "pooling.h"
#include "reduction.h"

namespace {

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 1);
    setThreads(static_cast<int>(intArg(env, a[0], "threads", 1, 4096)));
    return undefinedValue(env);
  });
}

napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value result;
  napi_create_int32(env, getThreads(), &result);
  return result;
}

napi_value Version(napi_env env, napi_callback_info info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value result;
  napi_create_string_utf8(env, s.c_str(), s.size(), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor fns[] = {
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allocFloat32", nullptr, AllocFloat32, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"releaseFloat32", nullptr, ReleaseFloat32, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"poolStats", nullptr, PoolStats, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dForward", nullptr, Conv2dForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardData", nullptr, Conv2dBackwardData, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackwardWeights", nullptr, Conv2dBackwardWeights, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, BatchNormForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, BatchNormBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluForward", nullptr, ReluForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormInference", nullptr, BatchNormInference, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduce", nullptr, Reduce, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matmul", nullptr, Matmul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool2dForward", nullptr, Pool2dForward, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pool2dBackward", nullptr, Pool2dBackward, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof fns / sizeof fns[0], fns);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
