// Walks a directory subtree (without following symlinks) and collects every
// entry's kind, permission bits, symlink target and, for readable files, the
// value: one pass, one result, no Node-API.
#ifndef RTSLIB_TREE_READER_H
#define RTSLIB_TREE_READER_H

#include <cstdint>
#include <string>
#include <vector>

#include "native_error.h"

namespace rtslib {

struct TreeOptions {
  // Deepest level returned: entries directly in the walked directory are at
  // depth 1. Negative means unlimited; 0 returns nothing.
  int maxDepth = -1;
  // Basenames (of directories or files) skipped entirely, at any depth.
  std::vector<std::string> excludeNames;
  // fnmatch(3) patterns (FNM_PATHNAME: `*` stays within one segment) of
  // paths relative to the root, skipped entirely: a name excluded only where
  // the kernel puts it, not where a user-named object of that name may be.
  // The last segment of each pattern is a literal name.
  std::vector<std::string> excludePaths;
  // The walked directory relative to the root ("" for the root itself), to
  // match excludePaths against.
  std::string base;
  // When set, only these names directly in the walked directory are walked
  // (with everything below them); other entries there are left out.
  bool onlyTop = false;
  std::vector<std::string> topNames;
  bool readValues = true;
  // With readValues false, files of these basenames are still read (a
  // listing with the few values a plan needs, e.g. a TPG's `enable`).
  std::vector<std::string> valueNames;
  // When false (with readValues false), files other than valueNames are
  // left out: a listing of the structure, without a stat per attribute.
  bool listFiles = true;
};

struct TreeResult {
  std::vector<std::string> paths;    // relative, depth-first, siblings sorted by bytes
  std::vector<std::uint8_t> kinds;   // EntryType (fs_util.h)
  std::vector<std::uint16_t> modes;  // st_mode & 07777
  std::vector<std::string> links;    // readlink() value, meaningful where hasLink
  std::vector<std::uint8_t> hasLink;
  std::string data;                    // all file values concatenated
  std::vector<std::uint32_t> offsets;  // paths.size() + 1 entries
  std::vector<std::int32_t> errnos;    // 0 or negative errno
};

// Walks `dir` (an absolute path). Per-entry failures (reading a file, reading
// a link, opening or listing a subdirectory) are recorded in `errnos` and the
// walk goes on; only a failure to open or list `dir` itself, or a result too
// large for 32-bit offsets, fails the walk: then returns false and fills *error.
//
// Entries are stat'ed and read on up to 4 threads of the shared pool
// (thread_pool.h); with fewer threads to be had, on fewer (at least the
// calling one).
//
// Files are read only when readValues is set (or their name is one of
// valueNames) and their mode has the owner-read bit: configfs write-only
// attributes (mode 0200) are skipped, not read, and get errno 0 and an
// empty value.
bool readTree(const std::string& dir, const TreeOptions& options, TreeResult* out,
              NativeError* error);

}  // namespace rtslib

#endif  // RTSLIB_TREE_READER_H
