{
  "includes": ["native/src/sources.gypi"],
  "targets": [
    {
      "target_name": "rtslib",
      "sources": ["<@(rtslib_engine_sources)", "<@(rtslib_addon_sources)"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "native/src"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_DISABLE_CPP_EXCEPTIONS"
      ],
      "cflags!": ["-fexceptions"],
      "cflags_cc!": ["-fexceptions", "-std=gnu++17"],
      "cflags_cc": [
        "-std=c++17",
        "-Wall",
        "-Wextra",
        "-Wpedantic",
        "-Wno-unused-parameter",
        "-fno-exceptions"
      ]
    }
  ]
}
