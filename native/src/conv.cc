// 2-D convolution, NHWC activations and HWIO filters (TF.js's layouts), f32. The forward pass
// optionally fuses a per-channel bias, a residual added to its output and a ReLU after both.
// The residual is copied into the output, then accumulated by a `sum` post-op: oneDNN 2.6's
// brgconv takes `sum` but not a tensor `binary_add` (which fell back to jit:avx512_core, 35–55 %
// slower per call at the bench's shapes; the copy costs less). Geometry is
// [strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight] with TF.js's
// dilation convention (1 = none).
#include "conv.h"

#include <algorithm>
#include <cstring>

#include "engine.h"
#include "napi_util.h"

using dnnl::memory;
using tag = dnnl::memory::format_tag;

namespace {

struct Geometry {
  memory::dims strides, dilates, padL, padR;
};

Geometry readGeometry(napi_env env, napi_value value) {
  auto g = intList(env, value, 8, "geometry", 0, 1 << 20);
  if (g[0] < 1 || g[1] < 1 || g[2] < 1 || g[3] < 1) throw ArgError("strides and dilations must be >= 1");
  // oneDNN counts dilation from 0.
  return {{g[0], g[1]}, {g[2] - 1, g[3] - 1}, {g[4], g[5]}, {g[6], g[7]}};
}

// Shapes of one convolution: x [n,h,w,ci], w [kh,kw,ci,co], y [n,oh,ow,co], all checked.
struct Shapes {
  std::vector<int64_t> x, w, y;
};

Shapes checkShapes(std::vector<int64_t> x, std::vector<int64_t> w, std::vector<int64_t> y, const Geometry& g) {
  if (x[0] != y[0]) throw ArgError("batch sizes of input and output differ");
  if (x[3] != w[2]) throw ArgError("input channels differ from the filter's");
  if (y[3] != w[3]) throw ArgError("output channels differ from the filter's");
  if (x[0] < 1 || x[3] < 1 || y[3] < 1 || w[0] < 1 || w[1] < 1) throw ArgError("empty convolution");
  if (outExtent(x[1], w[0], g.strides[0], g.dilates[0], g.padL[0], g.padR[0]) != y[1] ||
      outExtent(x[2], w[1], g.strides[1], g.dilates[1], g.padL[1], g.padR[1]) != y[2]) {
    throw ArgError("output height/width do not follow from input, filter, strides and padding");
  }
  return {x, w, y};
}

memory::desc xDesc(const Shapes& s) { return nhwc(s.x[0], s.x[3], s.x[1], s.x[2]); }
memory::desc yDesc(const Shapes& s) { return nhwc(s.y[0], s.y[3], s.y[1], s.y[2]); }
memory::desc wUserDesc(const Shapes& s) {
  return memory::desc({s.w[3], s.w[2], s.w[0], s.w[1]}, memory::data_type::f32, tag::hwio);
}
memory::desc wAnyDesc(const Shapes& s) {
  return memory::desc({s.w[3], s.w[2], s.w[0], s.w[1]}, memory::data_type::f32, tag::any);
}

dnnl::convolution_forward::primitive_desc forwardDesc(const Shapes& s, const Geometry& g, bool bias, bool relu,
                                                      dnnl::prop_kind kind, bool residual = false) {
  memory::desc biasMd = bias ? memory::desc({s.y[3]}, memory::data_type::f32, tag::a) : memory::desc();
  dnnl::convolution_forward::desc d(kind, dnnl::algorithm::convolution_direct, xDesc(s), wAnyDesc(s), biasMd,
                                    yDesc(s), g.strides, g.dilates, g.padL, g.padR);
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  // Post-ops run in order: y = relu(conv + bias + residual).
  if (residual) ops.append_sum(1.f);
  if (relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  if (residual || relu) attr.set_post_ops(ops);
  return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
}

// Weights in the layout a primitive wants: the caller's buffer when it already is, else a
// reorder into a buffer the plan owns.
struct WeightsIn {
  bool reorder;
  memory::desc user;
  memory packed;
  dnnl::reorder toPacked;

  WeightsIn(const memory::desc& userMd, const memory::desc& wanted) : reorder(userMd != wanted), user(userMd) {
    if (reorder) {
      packed = memory(wanted, cpuEngine());
      toPacked = dnnl::reorder(memory(userMd, cpuEngine(), nullptr), packed);
    }
  }
  memory operator()(float* data) {
    memory userMem = wrap(user, data);
    if (!reorder) return userMem;
    toPacked.execute(cpuStream(), userMem, packed);
    return packed;
  }
};

struct ForwardPlan {
  dnnl::convolution_forward prim;
  WeightsIn weights;
  memory::desc x, y, bias;
};

struct BackwardDataPlan {
  dnnl::convolution_backward_data prim;
  WeightsIn weights;
  memory::desc dy, dx;
};

struct BackwardWeightsPlan {
  dnnl::convolution_backward_weights prim;
  bool reorder;
  memory::desc user;
  memory packed;
  dnnl::reorder fromPacked;
  memory::desc x, dy;
};

thread_local PlanCache<ForwardPlan> forwardPlans;
thread_local PlanCache<BackwardDataPlan> backwardDataPlans;
thread_local PlanCache<BackwardWeightsPlan> backwardWeightsPlans;

// dst = src, split over the OpenMP threads.
void copyFloats(const float* src, float* dst, int64_t n) {
  constexpr int64_t kChunk = 1 << 16;
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for if (chunks > 1) schedule(static)
  for (int64_t c = 0; c < chunks; c++) {
    const int64_t start = c * kChunk;
    std::memcpy(dst + start, src + start, sizeof(float) * static_cast<size_t>(std::min(kChunk, n - start)));
  }
}

bool paddingInsideFilter(const Shapes& s, const Geometry& g) {
  for (int axis = 0; axis < 2; axis++) {
    int64_t extent = (s.w[axis] - 1) * (g.dilates[axis] + 1) + 1;
    if (g.padL[axis] >= extent || g.padR[axis] >= extent) return false;
  }
  return true;
}

std::vector<int64_t> geometryKey(const Geometry& g) {
  return {g.strides[0], g.strides[1], g.dilates[0], g.dilates[1], g.padL[0], g.padL[1], g.padR[0], g.padR[1]};
}

}  // namespace

napi_value Conv2dForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 10);
    auto g = readGeometry(env, a[8]);
    Shapes s = checkShapes(intList(env, a[1], 4, "xDims", 0, kMaxDim), intList(env, a[3], 4, "wDims", 0, kMaxDim),
                           intList(env, a[7], 4, "yDims", 0, kMaxDim), g);
    float* x = floatArray(env, a[0], product(s.x), "x");
    float* w = floatArray(env, a[2], product(s.w), "filter");
    bool hasBias = !isNullish(env, a[4]);
    float* bias = hasBias ? floatArray(env, a[4], s.y[3], "bias") : nullptr;
    bool hasResidual = !isNullish(env, a[5]);
    float* residual = hasResidual ? floatArray(env, a[5], product(s.y), "residual") : nullptr;
    float* y = floatArray(env, a[6], product(s.y), "y");
    if (hasResidual && residual == y) throw ArgError("residual and y must be different buffers");
    // oneDNN 2.6.3 crashes (SIGSEGV) on a `sum` post-op when a padding is as large as the
    // filter's extent (whole output rows of padding); TF.js's same/valid paddings never are.
    if (hasResidual && !paddingInsideFilter(s, g)) throw ArgError("a residual convolution needs each padding smaller than the filter");
    bool relu = boolArg(env, a[9], "relu");

    auto key = cacheKey("convF", {s.x, s.w, s.y, geometryKey(g), {hasBias, relu, hasResidual}});
    ForwardPlan& plan = forwardPlans.get(key, [&] {
      auto pd = forwardDesc(s, g, hasBias, relu, dnnl::prop_kind::forward_inference, hasResidual);
      return ForwardPlan{dnnl::convolution_forward(pd), WeightsIn(wUserDesc(s), pd.weights_desc()), pd.src_desc(),
                         pd.dst_desc(), hasBias ? pd.bias_desc() : memory::desc()};
    });
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, wrap(plan.x, x)}, {DNNL_ARG_WEIGHTS, plan.weights(w)}, {DNNL_ARG_DST, wrap(plan.y, y)}};
    if (hasBias) args.emplace(DNNL_ARG_BIAS, wrap(plan.bias, bias));
    if (hasResidual) copyFloats(residual, y, product(s.y));
    plan.prim.execute(cpuStream(), args);
    cpuStream().wait();
    return undefinedValue(env);
  });
}

napi_value Conv2dBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 7);
    auto g = readGeometry(env, a[6]);
    Shapes s = checkShapes(intList(env, a[5], 4, "dxDims", 0, kMaxDim), intList(env, a[3], 4, "wDims", 0, kMaxDim),
                           intList(env, a[1], 4, "dyDims", 0, kMaxDim), g);
    float* dy = floatArray(env, a[0], product(s.y), "dy");
    float* w = floatArray(env, a[2], product(s.w), "filter");
    float* dx = floatArray(env, a[4], product(s.x), "dx");

    auto key = cacheKey("convBD", {s.x, s.w, s.y, geometryKey(g)});
    BackwardDataPlan& plan = backwardDataPlans.get(key, [&] {
      auto hint = forwardDesc(s, g, false, false, dnnl::prop_kind::forward_training);
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, xDesc(s), wAnyDesc(s), yDesc(s),
                                              g.strides, g.dilates, g.padL, g.padR);
      dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
      return BackwardDataPlan{dnnl::convolution_backward_data(pd), WeightsIn(wUserDesc(s), pd.weights_desc()),
                              pd.diff_dst_desc(), pd.diff_src_desc()};
    });
    plan.prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, wrap(plan.dy, dy)},
                                    {DNNL_ARG_WEIGHTS, plan.weights(w)},
                                    {DNNL_ARG_DIFF_SRC, wrap(plan.dx, dx)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}

namespace {

void backwardWeights(const Shapes& s, const Geometry& g, float* x, float* dy, float* dw) {
  auto key = cacheKey("convBW", {s.x, s.w, s.y, geometryKey(g)});
  BackwardWeightsPlan& plan = backwardWeightsPlans.get(key, [&] {
    auto hint = forwardDesc(s, g, false, false, dnnl::prop_kind::forward_training);
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, xDesc(s), wAnyDesc(s),
                                               yDesc(s), g.strides, g.dilates, g.padL, g.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
    memory::desc user = wUserDesc(s);
    bool reorder = pd.diff_weights_desc() != user;
    BackwardWeightsPlan p{dnnl::convolution_backward_weights(pd), reorder, user, memory(), dnnl::reorder(),
                          pd.src_desc(), pd.diff_dst_desc()};
    if (reorder) {
      p.packed = memory(pd.diff_weights_desc(), cpuEngine());
      p.fromPacked = dnnl::reorder(p.packed, memory(user, cpuEngine(), nullptr));
    }
    return p;
  });
  memory dwUser = wrap(plan.user, dw);
  plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(plan.x, x)},
                                  {DNNL_ARG_DIFF_DST, wrap(plan.dy, dy)},
                                  {DNNL_ARG_DIFF_WEIGHTS, plan.reorder ? plan.packed : dwUser}});
  if (plan.reorder) plan.fromPacked.execute(cpuStream(), plan.packed, dwUser);
  cpuStream().wait();
}

// The input pixels a 1×1 filter reads, [n, oh, ow, ci] (zeros where a tap falls in the padding).
std::vector<float> gatherStrideGrid(const Shapes& s, const Geometry& g, const float* x) {
  const int64_t n = s.x[0], h = s.x[1], w = s.x[2], c = s.x[3], oh = s.y[1], ow = s.y[2];
  std::vector<float> out(static_cast<size_t>(n * oh * ow * c));
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < n * oh; row++) {
    const int64_t b = row / oh, iy = (row % oh) * g.strides[0] - g.padL[0];
    for (int64_t ox = 0; ox < ow; ox++) {
      const int64_t ix = ox * g.strides[1] - g.padL[1];
      float* dst = out.data() + (row * ow + ox) * c;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
        std::fill(dst, dst + c, 0.f);
      } else {
        std::memcpy(dst, x + ((b * h + iy) * w + ix) * c, sizeof(float) * static_cast<size_t>(c));
      }
    }
  }
  return out;
}

}  // namespace

napi_value Conv2dBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 7);
    auto g = readGeometry(env, a[6]);
    Shapes s = checkShapes(intList(env, a[1], 4, "xDims", 0, kMaxDim), intList(env, a[5], 4, "wDims", 0, kMaxDim),
                           intList(env, a[3], 4, "dyDims", 0, kMaxDim), g);
    float* x = floatArray(env, a[0], product(s.x), "x");
    float* dy = floatArray(env, a[2], product(s.y), "dy");
    float* dw = floatArray(env, a[4], product(s.w), "dw");
    bool strided1x1 = s.w[0] == 1 && s.w[1] == 1 &&
                      (g.strides[0] > 1 || g.strides[1] > 1 || g.padL[0] || g.padL[1] || g.padR[0] || g.padR[1]);
    if (!strided1x1) {
      backwardWeights(s, g, x, dy, dw);
      return undefinedValue(env);
    }
    // oneDNN 2.6.3's strided 1×1 backward-weights kernel (jit_1x1 with its reduce-to-unit-stride
    // copy) corrupts the heap on some shapes with two or more threads (SIGSEGV/SIGABRT, e.g. x
    // 1×8×10×9 → 6 channels, stride 2). A 1×1 filter reads only the pixels on the stride grid:
    // gather them and run the unit-stride convolution.
    std::vector<float> grid = gatherStrideGrid(s, g, x);
    Shapes unit{{s.y[0], s.y[1], s.y[2], s.x[3]}, s.w, s.y};
    Geometry one{{1, 1}, {0, 0}, {0, 0}, {0, 0}};
    backwardWeights(unit, one, grid.data(), dy, dw);
    return undefinedValue(env);
  });
}
