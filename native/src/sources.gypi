{
  "variables": {
    "rtslib_engine_sources": [
      "native/src/batch_engine.cc",
      "native/src/configfs_ops.cc",
      "native/src/fault_injection.cc",
      "native/src/file_lock.cc",
      "native/src/fs_util.cc",
      "native/src/path_guard.cc",
      "native/src/scsi_ioctl.cc",
      "native/src/sysfs_scsi.cc",
      "native/src/thread_pool.cc",
      "native/src/tree_reader.cc",
      "native/src/vpd_decoder.cc"
    ],
    "rtslib_addon_sources": [
      "native/src/addon.cc",
      "native/src/batch_worker.cc",
      "native/src/discovery_worker.cc",
      "native/src/fault_injection_js.cc",
      "native/src/file_lock_js.cc",
      "native/src/js_util.cc",
      "native/src/tree_worker.cc"
    ]
  }
}
