#pragma once
#include <node_api.h>

// allocFloat32(n): a Float32Array of n uninitialised floats from a pool of reused blocks. Fresh
// large allocations page-fault on first touch (measured ~135 ms CPU for 32 MiB on this kind of
// machine under load, 60x a ReLU over it). Every native kernel writes all of its output.
// A block returns to the pool when V8 collects its ArrayBuffer, or earlier through
// releaseFloat32 when the backend knows nothing else can reach the array.
napi_value AllocFloat32(napi_env env, napi_callback_info info);
// releaseFloat32(array): gives an allocFloat32 block back now; later uses of `array` would see
// another tensor's data, so the caller must know it is unreachable. Other arrays are ignored.
napi_value ReleaseFloat32(napi_env env, napi_callback_info info);
// poolStats(): { pooledBytes, liveBytes }.
napi_value PoolStats(napi_env env, napi_callback_info info);
