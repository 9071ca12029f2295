{
  "targets": [
    {
      "target_name": "rtslib",
      "sources": [
        "native/src/addon.cc",
        "native/src/batch_engine.cc",
        "native/src/batch_worker.cc",
        "native/src/configfs_ops.cc",
        "native/src/fault_injection.cc",
        "native/src/fault_injection_js.cc",
        "native/src/file_lock.cc",
        "native/src/file_lock_js.cc",
        "native/src/js_util.cc",
        "native/src/path_guard.cc",
        "native/src/tree_reader.cc",
        "native/src/tree_worker.cc",
        "native/src/discovery_worker.cc",
        "native/src/scsi_ioctl.cc",
        "native/src/sysfs_scsi.cc",
        "native/src/vpd_decoder.cc"
      ],
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
