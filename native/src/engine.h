// The one CPU engine and stream every primitive runs on, thread control, and a small cache of
// primitives keyed by their shapes (creating one JIT-compiles code; reusing it is free).
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

dnnl::engine& cpuEngine();
dnnl::stream& cpuStream();

void setThreads(int n);
int getThreads();

// Largest dimension accepted from JS.
constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;

// Output extent of one spatial axis of a window sliding over `in` (a filter of `k` taps spaced
// `dilate + 1` apart, oneDNN's dilation counting from 0), or -1 when the window does not fit.
inline int64_t outExtent(int64_t in, int64_t k, int64_t stride, int64_t dilate, int64_t padL, int64_t padR) {
  int64_t span = in + padL + padR - ((k - 1) * (dilate + 1) + 1);
  return span < 0 ? -1 : span / stride + 1;
}

std::string cacheKey(const char* op, std::initializer_list<std::vector<int64_t>> parts);

// Per-op cache of plans. Bounded: cleared when full (a training run uses a few dozen shapes).
template <typename Plan>
class PlanCache {
 public:
  template <typename Make>
  Plan& get(const std::string& key, Make make) {
    auto it = plans_.find(key);
    if (it != plans_.end()) return *it->second;
    if (plans_.size() >= 512) plans_.clear();
    auto plan = std::make_unique<Plan>(make());
    Plan& ref = *plan;
    plans_.emplace(key, std::move(plan));
    return ref;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<Plan>> plans_;
};

// NHWC f32 memory descriptor for logical dims {n, c, h, w}.
dnnl::memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w);
// Plain f32 descriptor with explicit strides (matmul operands, transposed or not).
dnnl::memory::desc strided(const dnnl::memory::dims& dims, const dnnl::memory::dims& strides);
dnnl::memory::desc flat(int64_t size);

// Row-major strides of `dims`; with `broadcastTo`, 0 along the axes of extent 1 that it does not
// share (reading such an operand repeats it along them).
std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& dims, const std::vector<int64_t>* broadcastTo = nullptr);

// Memory over a caller's buffer (no copy).
dnnl::memory wrap(const dnnl::memory::desc& md, float* data);
