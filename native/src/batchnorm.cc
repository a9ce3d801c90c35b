// Batch normalisation over the batch and spatial axes of NHWC data (a [n, c] tensor is passed as
// n×1×1×c), one fused pass each way instead of TF.js's composed moments + normalise.
#include "batchnorm.h"

#include <cstring>
#include <vector>

#include "engine.h"
#include "napi_util.h"

using dnnl::memory;

namespace {

const auto kFlags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;

struct ForwardPlan {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};

struct BackwardPlan {
  dnnl::batch_normalization_backward prim;
};

thread_local PlanCache<ForwardPlan> forwardPlans;
thread_local PlanCache<BackwardPlan> backwardPlans;

dnnl::batch_normalization_forward::primitive_desc forwardDesc(const std::vector<int64_t>& d, float epsilon) {
  dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_training, nhwc(d[0], d[3], d[1], d[2]),
                                               epsilon, kFlags);
  return dnnl::batch_normalization_forward::primitive_desc(desc, cpuEngine());
}

std::vector<int64_t> readDims(napi_env env, napi_value v) {
  auto d = intList(env, v, 4, "dims", 0, kMaxDim);
  if (d[0] < 1 || d[1] < 1 || d[2] < 1 || d[3] < 1) throw ArgError("batch norm needs non-empty dims");
  return d;
}

float readEpsilon(napi_env env, napi_value v) {
  double e = numberArg(env, v, "epsilon");
  if (!(e > 0 && e < 1)) throw ArgError("epsilon must be in (0, 1)");
  return static_cast<float>(e);
}

// The epsilon's bits go into the key: plans differ by it.
int64_t epsilonKey(float e) {
  int32_t bits;
  static_assert(sizeof bits == sizeof e, "float is 32-bit");
  std::memcpy(&bits, &e, sizeof bits);
  return bits;
}

}  // namespace

napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 8);
    auto d = readDims(env, a[1]);
    int64_t c = d[3];
    float* x = floatArray(env, a[0], product(d), "x");
    float* gamma = floatArray(env, a[2], c, "gamma");
    float* beta = floatArray(env, a[3], c, "beta");
    float* y = floatArray(env, a[4], product(d), "y");
    float* mean = floatArray(env, a[5], c, "mean");
    float* variance = floatArray(env, a[6], c, "variance");
    float epsilon = readEpsilon(env, a[7]);

    ForwardPlan& plan = forwardPlans.get(cacheKey("bnF", {d, {epsilonKey(epsilon)}}), [&] {
      auto pd = forwardDesc(d, epsilon);
      return ForwardPlan{pd, dnnl::batch_normalization_forward(pd)};
    });
    memory::desc data = plan.pd.src_desc();
    plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(data, x)},
                                    {DNNL_ARG_DST, wrap(data, y)},
                                    {DNNL_ARG_SCALE, wrap(flat(c), gamma)},
                                    {DNNL_ARG_SHIFT, wrap(flat(c), beta)},
                                    {DNNL_ARG_MEAN, wrap(plan.pd.mean_desc(), mean)},
                                    {DNNL_ARG_VARIANCE, wrap(plan.pd.variance_desc(), variance)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}

napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 10);
    auto d = readDims(env, a[1]);
    int64_t c = d[3];
    float* x = floatArray(env, a[0], product(d), "x");
    float* dy = floatArray(env, a[2], product(d), "dy");
    float* gamma = floatArray(env, a[3], c, "gamma");
    float* mean = floatArray(env, a[4], c, "mean");
    float* variance = floatArray(env, a[5], c, "variance");
    float* dx = floatArray(env, a[6], product(d), "dx");
    float* dgamma = floatArray(env, a[7], c, "dgamma");
    float* dbeta = floatArray(env, a[8], c, "dbeta");
    float epsilon = readEpsilon(env, a[9]);

    memory::desc data = nhwc(d[0], d[3], d[1], d[2]);
    BackwardPlan& plan = backwardPlans.get(cacheKey("bnB", {d, {epsilonKey(epsilon)}}), [&] {
      auto hint = forwardDesc(d, epsilon);
      dnnl::batch_normalization_backward::desc desc(dnnl::prop_kind::backward, data, data, epsilon, kFlags);
      dnnl::batch_normalization_backward::primitive_desc pd(desc, cpuEngine(), hint);
      return BackwardPlan{dnnl::batch_normalization_backward(pd)};
    });
    memory::desc stat = flat(c);
    // oneDNN 2.x asks for the shift as an input of the backward pass too, though dx, dγ and dβ
    // do not depend on it.
    std::vector<float> shift(static_cast<size_t>(c), 0.f);
    plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(data, x)},
                                    {DNNL_ARG_SHIFT, wrap(stat, shift.data())},
                                    {DNNL_ARG_DIFF_DST, wrap(data, dy)},
                                    {DNNL_ARG_SCALE, wrap(stat, gamma)},
                                    {DNNL_ARG_MEAN, wrap(stat, mean)},
                                    {DNNL_ARG_VARIANCE, wrap(stat, variance)},
                                    {DNNL_ARG_DIFF_SRC, wrap(data, dx)},
                                    {DNNL_ARG_DIFF_SCALE, wrap(stat, dgamma)},
                                    {DNNL_ARG_DIFF_SHIFT, wrap(stat, dbeta)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}
