// ReLU over a flat buffer (its gradient is in elementwise.cc), multi-threaded and vectorised by oneDNN.
#include "eltwise.h"

#include "engine.h"
#include "napi_util.h"

namespace {

struct ForwardPlan {
  dnnl::eltwise_forward::primitive_desc pd;
  dnnl::eltwise_forward prim;
};

thread_local PlanCache<ForwardPlan> forwardPlans;

dnnl::eltwise_forward::primitive_desc reluDesc(int64_t n) {
  dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::eltwise_relu, flat(n), 0.f, 0.f);
  return dnnl::eltwise_forward::primitive_desc(d, cpuEngine());
}

int64_t lengthOf(napi_env env, napi_value v) {
  napi_typedarray_type type;
  size_t count = 0;
  bool isTyped = false;
  napi_is_typedarray(env, v, &isTyped);
  if (!isTyped || napi_get_typedarray_info(env, v, &type, &count, nullptr, nullptr, nullptr) != napi_ok) {
    throw ArgError("x must be a Float32Array");
  }
  if (count < 1 || static_cast<int64_t>(count) > kMaxDim) throw ArgError("relu needs 1 to 2^31-1 elements");
  return static_cast<int64_t>(count);
}

}  // namespace

napi_value ReluForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 2);
    int64_t n = lengthOf(env, a[0]);
    float* x = floatArray(env, a[0], n, "x");
    float* y = floatArray(env, a[1], n, "y");
    ForwardPlan& plan = forwardPlans.get(cacheKey("reluF", {{n}}), [&] {
      auto pd = reluDesc(n);
      return ForwardPlan{pd, dnnl::eltwise_forward(pd)};
    });
    plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(flat(n), x)}, {DNNL_ARG_DST, wrap(flat(n), y)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}
