// Sum and mean over any set of axes with oneDNN's reduction primitive (TF.js's cpu backend
// transposes the reduced axes innermost first, then loops in JS).
#include "reduction.h"

#include <cstring>

#include "engine.h"
#include "napi_util.h"

using dnnl::memory;

namespace {

struct Plan {
  dnnl::reduction prim;
  memory::desc src, dst;
};

thread_local PlanCache<Plan> plans;

memory::dims rowMajorStrides(const memory::dims& dims) {
  memory::dims strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

}  // namespace

napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 5);
    int64_t op = intArg(env, a[0], "op", 0, 1);
    uint32_t rank = 0;
    bool isArray = false;
    napi_is_array(env, a[2], &isArray);
    if (!isArray || napi_get_array_length(env, a[2], &rank) != napi_ok || rank < 1 || rank > 6) {
      throw ArgError("dims must be an array of 1 to 6 dimensions");
    }
    auto dims = intList(env, a[2], rank, "dims", 1, kMaxDim);
    auto reduced = intList(env, a[3], rank, "reduced", 0, 1);
    memory::dims outDims(dims);
    for (size_t i = 0; i < rank; i++)
      if (reduced[i]) outDims[i] = 1;
    float* x = floatArray(env, a[1], product(dims), "x");
    float* out = floatArray(env, a[4], product(outDims), "out");

    // Nothing to reduce (no axis, or only axes of extent 1): oneDNN refuses; it is a copy.
    if (outDims == dims) {
      std::memcpy(out, x, sizeof(float) * static_cast<size_t>(product(dims)));
      return undefinedValue(env);
    }
    Plan& plan = plans.get(cacheKey("reduce", {{op}, dims, reduced}), [&] {
      memory::desc src = strided(dims, rowMajorStrides(dims));
      memory::desc dst = strided(outDims, rowMajorStrides(outDims));
      auto alg = op == 0 ? dnnl::algorithm::reduction_sum : dnnl::algorithm::reduction_mean;
      dnnl::reduction::primitive_desc pd(dnnl::reduction::desc(alg, src, dst, 0.f, 0.f), cpuEngine());
      return Plan{dnnl::reduction(pd), src, dst};
    });
    plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(plan.src, x)}, {DNNL_ARG_DST, wrap(plan.dst, out)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}
