// 2-D max and average pooling of NHWC f32 data, forward and backward. Window is [kh, kw];
// geometry is [strideH, strideW, padTop, padLeft, padBottom, padRight]. Padding never counts:
// max ignores it and average divides by the number of real pixels under the window (TF.js's
// forward; its cpu AvgPoolGrad divides by kh·kw, which is that forward's gradient only where no
// padding is applied). Every window must overlap the image (each pad below the window's size).
// Max's backward re-runs the forward to get oneDNN's workspace (where each maximum came from;
// the first in row-major window order on ties, as TF.js picks) instead of keeping it alive
// between the two calls.
#include "pooling.h"

#include "engine.h"
#include "napi_util.h"

using dnnl::memory;

namespace {

struct Pooling {
  dnnl::algorithm algorithm;
  std::vector<int64_t> x, y, window;
  memory::dims strides, padL, padR;

  memory::desc xDesc() const { return nhwc(x[0], x[3], x[1], x[2]); }
  memory::desc yDesc() const { return nhwc(y[0], y[3], y[1], y[2]); }
  memory::dims kernel() const { return {window[0], window[1]}; }
  std::vector<int64_t> key() const {
    return {static_cast<int64_t>(algorithm), strides[0], strides[1], padL[0], padL[1], padR[0], padR[1]};
  }
};

dnnl::algorithm readKind(napi_env env, napi_value value) {
  return intArg(env, value, "kind", 0, 1) == 0 ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
}

// Checks x, y, window and geometry against each other (oneDNN's floor rule for the extents).
Pooling readPooling(napi_env env, dnnl::algorithm algorithm, napi_value xDims, napi_value yDims, napi_value window,
                    napi_value geometry) {
  Pooling p{algorithm, intList(env, xDims, 4, "xDims", 1, kMaxDim), intList(env, yDims, 4, "yDims", 1, kMaxDim),
            intList(env, window, 2, "window", 1, 1 << 20), {}, {}, {}};
  auto g = intList(env, geometry, 6, "geometry", 0, 1 << 20);
  if (g[0] < 1 || g[1] < 1) throw ArgError("strides must be >= 1");
  p.strides = {g[0], g[1]};
  p.padL = {g[2], g[3]};
  p.padR = {g[4], g[5]};
  if (p.x[0] != p.y[0] || p.x[3] != p.y[3]) throw ArgError("batch size and channels of input and output must agree");
  for (int axis = 0; axis < 2; axis++) {
    if (p.padL[axis] >= p.window[axis] || p.padR[axis] >= p.window[axis]) {
      throw ArgError("each padding must be smaller than the window");
    }
    if (outExtent(p.x[1 + axis], p.window[axis], p.strides[axis], 0, p.padL[axis], p.padR[axis]) != p.y[1 + axis]) {
      throw ArgError("output height/width do not follow from input, window, strides and padding");
    }
  }
  return p;
}

dnnl::pooling_forward::primitive_desc forwardDesc(const Pooling& p, dnnl::prop_kind kind) {
  dnnl::pooling_forward::desc d(kind, p.algorithm, p.xDesc(), p.yDesc(), p.strides, p.kernel(), p.padL, p.padR);
  return dnnl::pooling_forward::primitive_desc(d, cpuEngine());
}

struct ForwardPlan {
  dnnl::pooling_forward prim;
};

struct BackwardPlan {
  dnnl::pooling_forward::primitive_desc forwardPd;  // training, for max's workspace
  dnnl::pooling_forward forward;
  dnnl::pooling_backward prim;
};

thread_local PlanCache<ForwardPlan> forwardPlans;
thread_local PlanCache<BackwardPlan> backwardPlans;

}  // namespace

// pool2dForward(kind, x, xDims, y, yDims, window, geometry)
napi_value Pool2dForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 7);
    Pooling p = readPooling(env, readKind(env, a[0]), a[2], a[4], a[5], a[6]);
    float* x = floatArray(env, a[1], product(p.x), "x");
    float* y = floatArray(env, a[3], product(p.y), "y");
    ForwardPlan& plan = forwardPlans.get(cacheKey("poolF", {p.x, p.y, p.window, p.key()}), [&] {
      return ForwardPlan{dnnl::pooling_forward(forwardDesc(p, dnnl::prop_kind::forward_inference))};
    });
    plan.prim.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(p.xDesc(), x)}, {DNNL_ARG_DST, wrap(p.yDesc(), y)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}

// pool2dBackward(kind, x, xDims, dy, dyDims, dx, window, geometry); x is read by max only
// (average pooling may pass null).
napi_value Pool2dBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 8);
    Pooling p = readPooling(env, readKind(env, a[0]), a[2], a[4], a[6], a[7]);
    bool isMax = p.algorithm == dnnl::algorithm::pooling_max;
    float* x = isNullish(env, a[1]) ? nullptr : floatArray(env, a[1], product(p.x), "x");
    if (isMax && x == nullptr) throw ArgError("max pooling's backward needs x");
    float* dy = floatArray(env, a[3], product(p.y), "dy");
    float* dx = floatArray(env, a[5], product(p.x), "dx");
    BackwardPlan& plan = backwardPlans.get(cacheKey("poolB", {p.x, p.y, p.window, p.key()}), [&] {
      auto forwardPd = forwardDesc(p, dnnl::prop_kind::forward_training);
      dnnl::pooling_backward::desc d(p.algorithm, p.xDesc(), p.yDesc(), p.strides, p.kernel(), p.padL, p.padR);
      dnnl::pooling_backward::primitive_desc pd(d, cpuEngine(), forwardPd);
      return BackwardPlan{forwardPd, dnnl::pooling_forward(forwardPd), dnnl::pooling_backward(pd)};
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, wrap(p.yDesc(), dy)},
                                         {DNNL_ARG_DIFF_SRC, wrap(p.xDesc(), dx)}};
    if (isMax) {
      // Per call, not per plan: a large batch's workspace and scratch output are freed on return.
      memory workspace(plan.forwardPd.workspace_desc(), cpuEngine());
      memory scratch(p.yDesc(), cpuEngine());
      plan.forward.execute(cpuStream(), {{DNNL_ARG_SRC, wrap(p.xDesc(), x)},
                                         {DNNL_ARG_DST, scratch},
                                         {DNNL_ARG_WORKSPACE, workspace}});
      args.emplace(DNNL_ARG_WORKSPACE, workspace);
    }
    plan.prim.execute(cpuStream(), args);
    cpuStream().wait();
    return undefinedValue(env);
  });
}
