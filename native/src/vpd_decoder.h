// Pure decoders for SCSI INQUIRY data (SPC-4/SPC-5): the standard INQUIRY
// data and the vital product data pages 0x00 (supported VPD pages), 0x80
// (unit serial number) and 0x83 (device identification).
//
// Every decoder takes the bytes a device returned, which may be shorter than
// what the device's own length fields claim (a short transfer) or carry length
// fields that make no sense: nothing here reads outside [data, data + len),
// and a decoder never fails on malformed input, it reports what it found
// (`truncated`, `problem`). This file is the libFuzzer target's subject.
#ifndef RTSLIB_VPD_DECODER_H
#define RTSLIB_VPD_DECODER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rtslib {
namespace scsi {

// Peripheral device type names (SPC "peripheral device type" table): "disk",
// "tape", "printer", "processor", "worm", "cd/dvd", "scanner", "optical",
// "mediumx", "comms", "raid", "enclosure", "rbc", "card-reader", "bridge",
// "osd", "adc", "security-manager", "zbc", "wlun", "no-device",
// "obsolete-0xa"/"obsolete-0xb", "reserved-0x15".., or "unknown" outside 0..31.
std::string peripheralTypeName(int type);

// Lowercase hexadecimal of a byte range, no separators.
std::string toHex(const std::uint8_t* data, std::size_t len);

// An ASCII field of INQUIRY data: trailing and leading spaces and NULs removed,
// other bytes outside printable ASCII replaced by '?'.
std::string asciiField(const std::uint8_t* data, std::size_t len);

// Standard INQUIRY data (EVPD=0).
struct StandardInquiry {
  std::uint8_t peripheralQualifier = 0;   // byte 0 bits 7-5
  std::uint8_t peripheralDeviceType = 0;  // byte 0 bits 4-0
  bool removable = false;                 // RMB
  std::uint8_t version = 0;               // 0x05 SPC-3, 0x06 SPC-4, 0x07 SPC-5
  bool normaca = false;
  bool hisup = false;
  std::uint8_t responseDataFormat = 0;  // 2 for every modern device
  std::uint8_t additionalLength = 0;    // n - 4
  bool sccs = false;
  bool acc = false;
  std::uint8_t tpgs = 0;  // ALUA support: 0 none, 1 implicit, 2 explicit, 3 both
  bool threePc = false;
  bool protect = false;
  bool encserv = false;
  bool multip = false;
  bool cmdque = false;
  std::string vendor;                             // T10 vendor identification (bytes 8-15), trimmed
  std::string product;                            // bytes 16-31, trimmed
  std::string revision;                           // bytes 32-35, trimmed
  std::vector<std::uint16_t> versionDescriptors;  // bytes 58-73, zeros skipped
  bool truncated = false;  // fewer bytes than 5 + additionalLength (or than 36)
};

// One designation descriptor of VPD page 0x83.
struct Designator {
  std::uint8_t protocolIdentifier = 0;  // byte 0 bits 7-4 (meaningful when piv)
  std::uint8_t codeSet = 0;             // 1 binary, 2 ASCII, 3 UTF-8
  bool piv = false;
  std::uint8_t association = 0;          // 0 logical unit, 1 target port, 2 target device
  std::uint8_t type = 0;                 // designator type (3 = NAA, ...)
  std::vector<std::uint8_t> identifier;  // the designator bytes as returned
  bool truncated = false;                // designator length ran past the page

  // Decoded per type; `hasX` tells which apply.
  bool hasNaa = false;
  std::uint8_t naa = 0;  // NAA field (2, 3, 5 or 6), designator type 3
  bool hasT10 = false;
  std::string t10VendorId;        // type 1: first 8 bytes, trimmed
  std::string t10VendorSpecific;  // type 1: the rest, trimmed
  bool hasNumber = false;
  std::uint32_t number = 0;  // types 4 (relative target port), 5 (target port group), 6 (LU group)
};

// Names used in the JavaScript surface: designator types ("naa", "eui64",
// "t10", ...), code sets ("binary", "ascii", "utf8", "reserved") and
// associations ("lun", "target-port", "target-device", "reserved").
const char* designatorTypeName(std::uint8_t type);
const char* codeSetName(std::uint8_t codeSet);
const char* associationName(std::uint8_t association);
// The identifier as text (ASCII/UTF-8 code sets: trailing NULs/spaces trimmed)
// or as lowercase hex (binary and anything else).
std::string designatorIdentifier(const Designator& d);
// True when designatorIdentifier() returns text rather than hex.
bool designatorIsText(const Designator& d);

// Everything decoded from one INQUIRY response.
struct InquiryData {
  int page = -1;  // -1: standard INQUIRY data; else the VPD page code requested
  std::uint8_t peripheralQualifier = 0;
  std::uint8_t peripheralDeviceType = 0;
  // For VPD pages: the page code and length fields as returned.
  std::uint8_t pageCode = 0;
  std::uint16_t pageLength = 0;
  bool truncated = false;  // a length field claims more bytes than were returned
  std::string problem;     // non-empty when the data is malformed (and what was decoded is partial)

  bool hasStandard = false;
  StandardInquiry standard;
  bool hasSupportedPages = false;
  std::vector<std::uint8_t> supportedPages;  // page 0x00
  bool hasUnitSerial = false;
  std::string unitSerial;  // page 0x80, trimmed
  bool hasDesignators = false;
  std::vector<Designator> designators;  // page 0x83
};

// Standard INQUIRY data.
StandardInquiry decodeStandardInquiry(const std::uint8_t* data, std::size_t len,
                                      std::string* problem);

// Decodes a response: `page` < 0 for standard INQUIRY data, else the VPD page
// that was requested (0x00, 0x80 and 0x83 are decoded; other pages only get
// their header). A VPD response whose page code differs from `page` gets a
// problem and no page-specific decoding.
InquiryData decodeInquiry(const std::uint8_t* data, std::size_t len, int page);

// The number of bytes the response says it holds (header included): 5 +
// ADDITIONAL LENGTH for standard data, 4 + PAGE LENGTH for a VPD page; 0 when
// `len` is too short to say.
std::size_t inquiryClaimedLength(const std::uint8_t* data, std::size_t len, bool vpd);

}  // namespace scsi
}  // namespace rtslib

#endif  // RTSLIB_VPD_DECODER_H
