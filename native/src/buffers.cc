#include "buffers.h"

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "napi_util.h"

namespace {

// Free blocks beyond this are returned to the system instead of pooled.
constexpr size_t kMaxPooledBytes = size_t{4} << 30;
constexpr size_t kAlign = 64;

// One per ArrayBuffer handed to JS: a block may be released early and reused by a new
// ArrayBuffer before V8 finalises the old one, whose finaliser must then leave it alone.
struct Ticket {
  void* block;
  size_t bytes;
  bool releasedEarly;
};

// Shared by every JS thread that loads the addon; finalisers may run on any of them.
std::mutex mutex;
std::unordered_map<size_t, std::vector<void*>> freeBlocks;
std::unordered_map<void*, Ticket*> liveTickets;
size_t pooledBytes = 0;
size_t liveBytes = 0;

size_t roundUp(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

// Caller holds the mutex.
void giveBack(void* block, size_t bytes) {
  liveBytes -= bytes;
  if (pooledBytes + bytes > kMaxPooledBytes) {
    std::free(block);
    return;
  }
  freeBlocks[bytes].push_back(block);
  pooledBytes += bytes;
}

void* take(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = freeBlocks.find(bytes);
    if (it != freeBlocks.end() && !it->second.empty()) {
      void* block = it->second.back();
      it->second.pop_back();
      pooledBytes -= bytes;
      liveBytes += bytes;
      return block;
    }
  }
  void* block = std::aligned_alloc(kAlign, bytes);
  if (block == nullptr) throw std::bad_alloc();
  std::lock_guard<std::mutex> lock(mutex);
  liveBytes += bytes;
  return block;
}

void finalize(napi_env, void*, void* hint) {
  Ticket* ticket = static_cast<Ticket*>(hint);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!ticket->releasedEarly) {
      liveTickets.erase(ticket->block);
      giveBack(ticket->block, ticket->bytes);
    }
  }
  delete ticket;
}

}  // namespace

napi_value AllocFloat32(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 1);
    int64_t n = intArg(env, a[0], "length", 1, int64_t{1} << 36);
    size_t bytes = roundUp(static_cast<size_t>(n) * sizeof(float));
    Ticket* ticket = new Ticket{take(bytes), bytes, false};
    {
      std::lock_guard<std::mutex> lock(mutex);
      liveTickets[ticket->block] = ticket;
    }
    napi_value buffer, array;
    if (napi_create_external_arraybuffer(env, ticket->block, static_cast<size_t>(n) * sizeof(float), finalize, ticket,
                                         &buffer) != napi_ok) {
      finalize(env, nullptr, ticket);
      throw ArgError("could not create an external ArrayBuffer");
    }
    if (napi_create_typedarray(env, napi_float32_array, static_cast<size_t>(n), buffer, 0, &array) != napi_ok) {
      throw ArgError("could not create a Float32Array");
    }
    return array;
  });
}

napi_value ReleaseFloat32(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = callArgs(env, info, 1);
    bool isTyped = false;
    napi_is_typedarray(env, a[0], &isTyped);
    if (!isTyped) throw ArgError("releaseFloat32 takes a Float32Array");
    napi_value buffer;
    size_t offset = 0;
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_get_typedarray_info(env, a[0], &type, &length, &data, &buffer, &offset);
    void* base = nullptr;
    size_t byteLength = 0;
    napi_get_arraybuffer_info(env, buffer, &base, &byteLength);
    std::lock_guard<std::mutex> lock(mutex);
    auto it = liveTickets.find(base);
    if (it != liveTickets.end()) {
      Ticket* ticket = it->second;
      ticket->releasedEarly = true;
      liveTickets.erase(it);
      giveBack(ticket->block, ticket->bytes);
    }
    return undefinedValue(env);
  });
}

napi_value PoolStats(napi_env env, napi_callback_info info) {
  size_t pooled, live;
  {
    std::lock_guard<std::mutex> lock(mutex);
    pooled = pooledBytes;
    live = liveBytes;
  }
  napi_value result, p, l;
  napi_create_object(env, &result);
  napi_create_double(env, static_cast<double>(pooled), &p);
  napi_create_double(env, static_cast<double>(live), &l);
  napi_set_named_property(env, result, "pooledBytes", p);
  napi_set_named_property(env, result, "liveBytes", l);
  return result;
}
