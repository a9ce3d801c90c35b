#include "engine.h"

#include <omp.h>

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Per thread, as are the plan caches: each worker thread that loads the addon (replicas) gets
// its own stream and primitives, so nothing mutable is shared between JS threads.
dnnl::stream& cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

// oneDNN from Debian and Homebrew runs on OpenMP: its parallel regions start on the calling
// (main) thread, so the main thread's OpenMP setting is the kernels' thread count.
void setThreads(int n) { omp_set_num_threads(n); }
int getThreads() { return omp_get_max_threads(); }

std::string cacheKey(const char* op, std::initializer_list<std::vector<int64_t>> parts) {
  std::string key(op);
  for (const auto& part : parts) {
    key += '|';
    for (int64_t v : part) {
      key += std::to_string(v);
      key += ',';
    }
  }
  return key;
}

dnnl::memory::desc nhwc(int64_t n, int64_t c, int64_t h, int64_t w) {
  return dnnl::memory::desc({n, c, h, w}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nhwc);
}

dnnl::memory::desc strided(const dnnl::memory::dims& dims, const dnnl::memory::dims& strides) {
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

dnnl::memory::desc flat(int64_t size) {
  return dnnl::memory::desc({size}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
}

dnnl::memory wrap(const dnnl::memory::desc& md, float* data) { return dnnl::memory(md, cpuEngine(), data); }

std::vector<int64_t> rowMajorStrides(const std::vector<int64_t>& dims, const std::vector<int64_t>* broadcastTo) {
  std::vector<int64_t> strides(dims.size());
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    strides[i] = broadcastTo && dims[i] == 1 && (*broadcastTo)[i] != 1 ? 0 : s;
    s *= dims[i];
  }
  return strides;
}
