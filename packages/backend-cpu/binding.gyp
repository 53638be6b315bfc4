{
  # One x64 binary carries three copies of the kernels (AVX-512, AVX2+FMA, baseline) and picks one
  # at run time (native/src/dispatch.cc); each copy is its own static library so only its files
  # get the wider instruction-set flags. arm64 builds the NEON copy (tools/cross/build-arm64.sh).
  "variables": {
    "wsp_cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fPIC", "-fvisibility=hidden"]
  },
  "target_defaults": {
    "cflags!": ["-O2"],
    "cflags_cc!": ["-fno-exceptions", "-O2", "-std=gnu++17", "-std=c++14"],
    "cflags_cc": ["<@(wsp_cflags_cc)"],
    "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"]
  },
  "targets": [
    {
      "target_name": "wsp_backend_cpu",
      "sources": [
        "native/src/addon.cc",
        "native/src/network.cc",
        "native/src/dispatch.cc",
        "native/src/thread_pool.cc",
        "native/src/kernels_generic.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["wsp_kernels_avx512", "wsp_kernels_avx512bf16", "wsp_kernels_avx2"] }],
        ["target_arch=='arm64'", { "sources": ["native/src/kernels_neon.cc"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "wsp_kernels_avx512",
          "type": "static_library",
          "sources": ["native/src/kernels_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mfma"]
        },
        {
          "target_name": "wsp_kernels_avx512bf16",
          "type": "static_library",
          "sources": ["native/src/kernels_avx512bf16.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512bf16", "-mfma"]
        },
        {
          "target_name": "wsp_kernels_avx2",
          "type": "static_library",
          "sources": ["native/src/kernels_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"]
        }
      ]
    }]
  ]
}
