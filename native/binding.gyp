{
  "targets": [
    {
      "target_name": "onednn",
      "sources": [
        "src/addon.cc",
        "src/napi_util.cc",
        "src/engine.cc",
        "src/conv.cc",
        "src/batchnorm.cc",
        "src/buffers.cc",
        "src/eltwise.cc",
        "src/elementwise.cc",
        "src/matmul.cc",
        "src/reduction.cc",
        "src/pooling.cc"
      ],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-fopenmp"],
      "include_dirs": ["/usr/local/include", "/opt/homebrew/include"],
      "libraries": ["-ldnnl"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-lgomp"] }],
        ["OS=='mac'", {
          "library_dirs": ["/usr/local/lib", "/opt/homebrew/lib"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CFLAGS": ["-O2"]
          }
        }]
      ]
    }
  ]
}
