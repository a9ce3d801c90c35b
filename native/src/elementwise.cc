// Elementwise arithmetic that TF.js's cpu backend runs as scalar JS loops: plain loops here,
// vectorised by the compiler and split over OpenMP threads (the runtime oneDNN uses too).
#include "elementwise.h"

#include <cstdint>

#include "engine.h"
#include "napi_util.h"

namespace {

// Below this many elements a parallel region costs more than it saves.
constexpr int64_t kParallelMin = 1 << 15;

int64_t lengthOf(napi_env env, napi_value v, const char* what) {
  bool isTyped = false;
  napi_typedarray_type type;
  size_t count = 0;
  if (napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &type, &count, nullptr, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
    throw ArgError(std::string(what) + " must be a Float32Array");
  }
  return static_cast<int64_t>(count);
}

template <typename Op>
void apply(const float* a, int64_t strideA, const float* b, int64_t strideB, float* out, int64_t n, Op op) {
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
  for (int64_t i = 0; i < n; i++) out[i] = op(a[i * strideA], b[i * strideB]);
}

}  // namespace

napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto args = callArgs(env, info, 4);
    int64_t op = intArg(env, args[0], "op", 0, 2);
    int64_t n = lengthOf(env, args[3], "out");
    int64_t na = lengthOf(env, args[1], "a");
    int64_t nb = lengthOf(env, args[2], "b");
    if (!((na == n || na == 1) && (nb == n || nb == 1))) throw ArgError("operands must have the output's length or length 1");
    const float* a = floatArray(env, args[1], na, "a");
    const float* b = floatArray(env, args[2], nb, "b");
    float* out = floatArray(env, args[3], n, "out");
    int64_t sa = na == 1 ? 0 : 1;
    int64_t sb = nb == 1 ? 0 : 1;
    switch (op) {
      case 0: apply(a, sa, b, sb, out, n, [](float x, float y) { return x + y; }); break;
      case 1: apply(a, sa, b, sb, out, n, [](float x, float y) { return x - y; }); break;
      default: apply(a, sa, b, sb, out, n, [](float x, float y) { return x * y; }); break;
    }
    return undefinedValue(env);
  });
}

napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto args = callArgs(env, info, 3);
    int64_t n = lengthOf(env, args[0], "x");
    const float* x = floatArray(env, args[0], n, "x");
    const float* dy = floatArray(env, args[1], n, "dy");
    float* dx = floatArray(env, args[2], n, "dx");
#pragma omp parallel for simd if (n >= kParallelMin) schedule(static)
    for (int64_t i = 0; i < n; i++) dx[i] = x[i] > 0.f ? dy[i] : 0.f;
    return undefinedValue(env);
  });
}
