#include "napi_util.h"

#include <oneapi/dnnl/dnnl.hpp>

namespace {
void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError(std::string("Node-API call failed: ") + what);
}
}  // namespace

std::vector<napi_value> callArgs(napi_env env, napi_callback_info info, size_t expected) {
  size_t argc = 32;
  std::vector<napi_value> argv(argc);
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "get_cb_info");
  if (argc != expected) {
    throw ArgError("expected " + std::to_string(expected) + " arguments, got " + std::to_string(argc));
  }
  argv.resize(argc);
  return argv;
}

bool isNullish(napi_env env, napi_value value) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "typeof");
  return type == napi_null || type == napi_undefined;
}

float* floatArray(napi_env env, napi_value value, int64_t length, const char* what) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "is_typedarray");
  if (!isTyped) throw ArgError(std::string(what) + " must be a Float32Array");
  napi_typedarray_type type;
  size_t count = 0;
  void* data = nullptr;
  check(env, napi_get_typedarray_info(env, value, &type, &count, &data, nullptr, nullptr), "typedarray_info");
  if (type != napi_float32_array) throw ArgError(std::string(what) + " must be a Float32Array");
  if (length < 0 || static_cast<int64_t>(count) != length) {
    throw ArgError(std::string(what) + " has " + std::to_string(count) + " elements, expected " +
                   std::to_string(length));
  }
  // A zero-length view may have no backing store; oneDNN never reads it then, but keep it non-null.
  static float empty = 0.f;
  return count == 0 ? &empty : static_cast<float*>(data);
}

int64_t intArg(napi_env env, napi_value value, const char* what, int64_t min, int64_t max) {
  double d = numberArg(env, value, what);
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || d != static_cast<double>(static_cast<int64_t>(d))) {
    throw ArgError(std::string(what) + " must be an integer in [" + std::to_string(min) + ", " +
                   std::to_string(max) + "]");
  }
  return static_cast<int64_t>(d);
}

double numberArg(napi_env env, napi_value value, const char* what) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "typeof");
  if (type != napi_number) throw ArgError(std::string(what) + " must be a number");
  double d = 0;
  check(env, napi_get_value_double(env, value, &d), "get_value_double");
  return d;
}

bool boolArg(napi_env env, napi_value value, const char* what) {
  napi_valuetype type;
  check(env, napi_typeof(env, value, &type), "typeof");
  if (type != napi_boolean) throw ArgError(std::string(what) + " must be a boolean");
  bool b = false;
  check(env, napi_get_value_bool(env, value, &b), "get_value_bool");
  return b;
}

uint32_t arrayLength(napi_env env, napi_value value, const char* what, uint32_t min, uint32_t max) {
  bool isArray = false;
  check(env, napi_is_array(env, value, &isArray), "is_array");
  if (!isArray) throw ArgError(std::string(what) + " must be an array");
  uint32_t n = 0;
  check(env, napi_get_array_length(env, value, &n), "array_length");
  if (n < min || n > max) {
    std::string range = min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max);
    throw ArgError(std::string(what) + " must have " + range + " entries, got " + std::to_string(n));
  }
  return n;
}

std::vector<int64_t> intList(napi_env env, napi_value value, size_t length, const char* what,
                             int64_t min, int64_t max) {
  uint32_t n = arrayLength(env, value, what, static_cast<uint32_t>(length), static_cast<uint32_t>(length));
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    check(env, napi_get_element(env, value, i, &item), "get_element");
    out[i] = intArg(env, item, what, min, max);
  }
  return out;
}

int64_t product(const std::vector<int64_t>& dims) {
  // Dims are checked to be < 2^31 each; cap the total so the product cannot overflow.
  int64_t p = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ArgError("negative dimension");
    if (d != 0 && p > (int64_t{1} << 40) / d) throw ArgError("tensor too large");
    p *= d;
  }
  return p;
}

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

napi_value guarded(napi_env env, const std::function<napi_value()>& body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_type_error(env, nullptr, (std::string("onednn: ") + e.what()).c_str());
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("onednn: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, (std::string("onednn: ") + e.what()).c_str());
  }
  return nullptr;
}
