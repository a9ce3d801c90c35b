// Node-API argument helpers. Every buffer a kernel touches is checked here against the size
// its dims imply, so a wrong call from JS is a thrown Error, never an out-of-bounds access.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The call's arguments; throws ArgError unless exactly `expected` were passed.
std::vector<napi_value> callArgs(napi_env env, napi_callback_info info, size_t expected);

// A Float32Array's data; throws unless it has exactly `length` elements.
float* floatArray(napi_env env, napi_value value, int64_t length, const char* what);
bool isNullish(napi_env env, napi_value value);

// An array of `length` integers (dims, strides, paddings), each in [min, max].
std::vector<int64_t> intList(napi_env env, napi_value value, size_t length, const char* what,
                             int64_t min, int64_t max);
// The length of an array (a rank, say), checked to be in [min, max].
uint32_t arrayLength(napi_env env, napi_value value, const char* what, uint32_t min, uint32_t max);
int64_t intArg(napi_env env, napi_value value, const char* what, int64_t min, int64_t max);
double numberArg(napi_env env, napi_value value, const char* what);
bool boolArg(napi_env env, napi_value value, const char* what);

int64_t product(const std::vector<int64_t>& dims);

// Runs a kernel body: C++ exceptions (bad arguments, oneDNN errors) become JS Errors.
napi_value guarded(napi_env env, const std::function<napi_value()>& body);
napi_value undefinedValue(napi_env env);
