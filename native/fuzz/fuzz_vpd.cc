// libFuzzer target: the INQUIRY / VPD decoder (native/src/vpd_decoder.cc).
//
// The input is one INQUIRY response as a device could return it. It is
// decoded as standard INQUIRY data, as the VPD page its header names, and as
// each of the decoded pages (0x00, 0x80, 0x83), and every derived string is
// built. Besides the sanitizers, the target checks the decoder's promises:
// nothing decoded is larger than the input, and truncation is reported.
//
// Build and run: npm run fuzz [seconds]   (native/fuzz/run.sh)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "vpd_decoder.h"

namespace {

using rtslib::scsi::Designator;
using rtslib::scsi::InquiryData;

void require(bool cond) {
  if (!cond) __builtin_trap();
}

std::size_t consume(const InquiryData& q, std::size_t size) {
  std::size_t total = q.problem.size() + q.unitSerial.size() + q.supportedPages.size();
  if (q.page < 0) {
    require(q.standard.vendor.size() <= 8);
    require(q.standard.product.size() <= 16);
    require(q.standard.revision.size() <= 4);
    require(q.standard.versionDescriptors.size() <= 8);
    total += q.standard.vendor.size() + q.standard.product.size();
    return total;
  }
  require(q.supportedPages.size() + 4 <= size || q.supportedPages.empty());
  require(q.unitSerial.size() + 4 <= size || q.unitSerial.empty());
  std::size_t designatorBytes = 0;
  for (const Designator& d : q.designators) {
    designatorBytes += 4 + d.identifier.size();
    const std::string id = rtslib::scsi::designatorIdentifier(d);
    const std::string hex = rtslib::scsi::toHex(d.identifier.data(), d.identifier.size());
    require(hex.size() == 2 * d.identifier.size());
    require(id.size() <= hex.size());
    require(d.t10VendorId.size() <= 8);
    total += id.size() + std::string(rtslib::scsi::designatorTypeName(d.type)).size() +
             std::string(rtslib::scsi::codeSetName(d.codeSet)).size() +
             std::string(rtslib::scsi::associationName(d.association)).size();
    if (d.truncated) require(q.truncated);
  }
  if (!q.designators.empty()) require(designatorBytes + 4 <= size);
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::size_t sink = 0;
  const InquiryData standard = rtslib::scsi::decodeInquiry(data, size, -1);
  sink += consume(standard, size);
  if (size < 36) require(standard.truncated || !standard.problem.empty());

  const int pages[] = {0x00, 0x80, 0x83, size >= 2 ? data[1] : 0xb0};
  for (int page : pages) {
    const InquiryData q = rtslib::scsi::decodeInquiry(data, size, page);
    sink += consume(q, size);
    if (size < 4) require(q.truncated && !q.problem.empty());
    if (size >= 4 && q.pageCode != page) require(!q.problem.empty());
    const std::size_t claimed = rtslib::scsi::inquiryClaimedLength(data, size, true);
    if (size >= 4 && q.pageCode == page && size < claimed) require(q.truncated);
    if (size >= 4 && q.pageCode == page && page != 0x83) require(q.truncated == (size < claimed));
  }
  sink += rtslib::scsi::peripheralTypeName(size > 0 ? data[0] & 0x1f : -1).size();
  sink += rtslib::scsi::asciiField(data, size).size();
  require(sink < (std::size_t{1} << 40));
  return 0;
}
