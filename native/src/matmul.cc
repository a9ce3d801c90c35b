// Batched matrix product with optional transposes (as strides, no copies), bias and ReLU.
#include "matmul.h"

#include <algorithm>

#include "engine.h"
#include "napi_util.h"

using dnnl::memory;

namespace {

struct Plan {
  dnnl::matmul prim;
  memory::desc a, b, bias, c;
};

thread_local PlanCache<Plan> plans;

}  // namespace

napi_value Matmul(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto args = callArgs(env, info, 8);
    auto d = intList(env, args[4], 5, "dims", 1, kMaxDim);
    int64_t batchA = d[0], batchB = d[1], m = d[2], k = d[3], n = d[4];
    if (batchA != batchB && batchA != 1 && batchB != 1) throw ArgError("batch sizes must agree or one be 1");
    int64_t batch = std::max(batchA, batchB);
    bool transposeA = boolArg(env, args[5], "transposeA");
    bool transposeB = boolArg(env, args[6], "transposeB");
    bool relu = boolArg(env, args[7], "relu");
    float* a = floatArray(env, args[0], product({batchA, m, k}), "a");
    float* b = floatArray(env, args[1], product({batchB, k, n}), "b");
    bool hasBias = !isNullish(env, args[2]);
    float* bias = hasBias ? floatArray(env, args[2], n, "bias") : nullptr;
    float* c = floatArray(env, args[3], product({batch, m, n}), "c");

    auto key = cacheKey("matmul", {d, {transposeA, transposeB, relu, hasBias}});
    Plan& plan = plans.get(key, [&] {
      // Logical [batch, rows, cols]; a transposed operand is the stored matrix read column-wise.
      memory::desc aMd = transposeA ? strided({batchA, m, k}, {m * k, 1, m}) : strided({batchA, m, k}, {m * k, k, 1});
      memory::desc bMd = transposeB ? strided({batchB, k, n}, {k * n, 1, k}) : strided({batchB, k, n}, {k * n, n, 1});
      memory::desc biasMd = hasBias ? strided({1, 1, n}, {n, n, 1}) : memory::desc();
      memory::desc cMd = strided({batch, m, n}, {m * n, n, 1});
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(ops);
      }
      dnnl::matmul::desc desc = hasBias ? dnnl::matmul::desc(aMd, bMd, biasMd, cMd) : dnnl::matmul::desc(aMd, bMd, cMd);
      dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
      return Plan{dnnl::matmul(pd), aMd, bMd, biasMd, cMd};
    });
    std::unordered_map<int, memory> margs{
        {DNNL_ARG_SRC, wrap(plan.a, a)}, {DNNL_ARG_WEIGHTS, wrap(plan.b, b)}, {DNNL_ARG_DST, wrap(plan.c, c)}};
    if (hasBias) margs.emplace(DNNL_ARG_BIAS, wrap(plan.bias, bias));
    plan.prim.execute(cpuStream(), margs);
    cpuStream().wait();
    return undefinedValue(env);
  });
}
