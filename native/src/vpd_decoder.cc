#include "vpd_decoder.h"

#include <algorithm>
#include <cstdio>

namespace rtslib {
namespace scsi {

namespace {

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}

std::string hexByte(unsigned value) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", value & 0xffu);
  return buf;
}

bool isPadding(std::uint8_t c) { return c == ' ' || c == '\0'; }

// [begin, end) with padding removed at both ends.
void trimPadding(const std::uint8_t* data, std::size_t len, std::size_t* begin, std::size_t* end) {
  std::size_t b = 0;
  std::size_t e = len;
  while (b < e && isPadding(data[b])) ++b;
  while (e > b && isPadding(data[e - 1])) --e;
  *begin = b;
  *end = e;
}

const char* const kTypeNames[32] = {
    "disk",          "tape",          "printer",       "processor",     "worm",
    "cd/dvd",        "scanner",       "optical",       "mediumx",       "comms",
    "obsolete-0xa",  "obsolete-0xb",  "raid",          "enclosure",     "rbc",
    "card-reader",   "bridge",        "osd",           "adc",           "security-manager",
    "zbc",           "reserved-0x15", "reserved-0x16", "reserved-0x17", "reserved-0x18",
    "reserved-0x19", "reserved-0x1a", "reserved-0x1b", "reserved-0x1c", "reserved-0x1d",
    "wlun",          "no-device",
};

void decodeSupportedPages(const std::uint8_t* data, std::size_t end, InquiryData* out) {
  out->hasSupportedPages = true;
  for (std::size_t i = 4; i < end; ++i) out->supportedPages.push_back(data[i]);
}

void decodeUnitSerial(const std::uint8_t* data, std::size_t end, InquiryData* out) {
  out->hasUnitSerial = true;
  if (end > 4) out->unitSerial = asciiField(data + 4, end - 4);
}

void decodeDesignator(Designator* d) {
  const std::vector<std::uint8_t>& id = d->identifier;
  switch (d->type) {
    case 1:  // T10 vendor ID based
      d->hasT10 = true;
      d->t10VendorId = asciiField(id.data(), std::min<std::size_t>(id.size(), 8));
      if (id.size() > 8) d->t10VendorSpecific = asciiField(id.data() + 8, id.size() - 8);
      break;
    case 3:  // NAA
      if (!id.empty()) {
        d->hasNaa = true;
        d->naa = static_cast<std::uint8_t>(id[0] >> 4);
      }
      break;
    case 4:  // relative target port identifier
    case 5:  // target port group
    case 6:  // logical unit group
      if (id.size() >= 4) {
        d->hasNumber = true;
        d->number = be16(id.data() + 2);
      }
      break;
    default: break;
  }
}

void decodeDeviceIdentification(const std::uint8_t* data, std::size_t end, InquiryData* out) {
  out->hasDesignators = true;
  std::size_t off = 4;
  std::size_t index = 0;
  while (off < end) {
    ++index;
    if (end - off < 4) {
      out->truncated = true;
      if (out->problem.empty()) {
        out->problem =
            "designation descriptor " + std::to_string(index) + " has an incomplete header";
      }
      return;
    }
    const std::uint8_t* h = data + off;
    Designator d;
    d.protocolIdentifier = static_cast<std::uint8_t>(h[0] >> 4);
    d.codeSet = static_cast<std::uint8_t>(h[0] & 0x0f);
    d.piv = (h[1] & 0x80) != 0;
    d.association = static_cast<std::uint8_t>((h[1] >> 4) & 0x03);
    d.type = static_cast<std::uint8_t>(h[1] & 0x0f);
    const std::size_t dlen = h[3];
    const std::size_t avail = end - off - 4;
    const std::size_t take = std::min(dlen, avail);
    d.identifier.assign(h + 4, h + 4 + take);
    if (take < dlen) {
      d.truncated = true;
      out->truncated = true;
      if (out->problem.empty()) {
        out->problem = "designation descriptor " + std::to_string(index) + " claims " +
                       std::to_string(dlen) + " bytes, " + std::to_string(avail) + " remain";
      }
    }
    decodeDesignator(&d);
    out->designators.push_back(std::move(d));
    off += 4 + take;
  }
}

}  // namespace

std::string peripheralTypeName(int type) {
  if (type < 0 || type > 31) return "unknown";
  return kTypeNames[type];
}

std::string toHex(const std::uint8_t* data, std::size_t len) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (std::size_t i = 0; i < len; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

std::string asciiField(const std::uint8_t* data, std::size_t len) {
  std::size_t b = 0;
  std::size_t e = 0;
  trimPadding(data, len, &b, &e);
  std::string out;
  out.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) {
    const std::uint8_t c = data[i];
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  }
  return out;
}

const char* designatorTypeName(std::uint8_t type) {
  switch (type) {
    case 0x0: return "vendor-specific";
    case 0x1: return "t10";
    case 0x2: return "eui64";
    case 0x3: return "naa";
    case 0x4: return "relative-target-port";
    case 0x5: return "target-port-group";
    case 0x6: return "logical-unit-group";
    case 0x7: return "md5";
    case 0x8: return "scsi-name";
    case 0x9: return "protocol-port";
    case 0xa: return "uuid";
    default: return "reserved";
  }
}

const char* codeSetName(std::uint8_t codeSet) {
  switch (codeSet) {
    case 1: return "binary";
    case 2: return "ascii";
    case 3: return "utf8";
    default: return "reserved";
  }
}

const char* associationName(std::uint8_t association) {
  switch (association) {
    case 0: return "lun";
    case 1: return "target-port";
    case 2: return "target-device";
    default: return "reserved";
  }
}

bool designatorIsText(const Designator& d) { return d.codeSet == 2 || d.codeSet == 3; }

std::string designatorIdentifier(const Designator& d) {
  if (!designatorIsText(d)) return toHex(d.identifier.data(), d.identifier.size());
  if (d.codeSet == 2) return asciiField(d.identifier.data(), d.identifier.size());
  // UTF-8 (SCSI name strings): NUL terminated and padded; keep the bytes.
  std::size_t b = 0;
  std::size_t e = 0;
  trimPadding(d.identifier.data(), d.identifier.size(), &b, &e);
  return std::string(d.identifier.begin() + static_cast<std::ptrdiff_t>(b),
                     d.identifier.begin() + static_cast<std::ptrdiff_t>(e));
}

std::size_t inquiryClaimedLength(const std::uint8_t* data, std::size_t len, bool vpd) {
  if (vpd) return len >= 4 ? 4 + static_cast<std::size_t>(be16(data + 2)) : 0;
  return len >= 5 ? 5 + static_cast<std::size_t>(data[4]) : 0;
}

StandardInquiry decodeStandardInquiry(const std::uint8_t* data, std::size_t len,
                                      std::string* problem) {
  StandardInquiry s;
  if (len == 0 || data == nullptr) {
    if (problem != nullptr) *problem = "no standard INQUIRY data";
    s.truncated = true;
    return s;
  }
  s.peripheralQualifier = static_cast<std::uint8_t>(data[0] >> 5);
  s.peripheralDeviceType = static_cast<std::uint8_t>(data[0] & 0x1f);
  if (len > 1) s.removable = (data[1] & 0x80) != 0;
  if (len > 2) s.version = data[2];
  if (len > 3) {
    s.normaca = (data[3] & 0x20) != 0;
    s.hisup = (data[3] & 0x10) != 0;
    s.responseDataFormat = static_cast<std::uint8_t>(data[3] & 0x0f);
  }
  if (len < 5) {
    if (problem != nullptr) *problem = "standard INQUIRY data shorter than 5 bytes";
    s.truncated = true;
    return s;
  }
  s.additionalLength = data[4];
  // Devices are known to under-report ADDITIONAL LENGTH while returning the
  // 36 mandatory bytes (the kernel's scsi_probe_lun assumes 36 then too).
  const std::size_t claimed = 5 + static_cast<std::size_t>(s.additionalLength);
  const std::size_t usable = std::min(len, std::max<std::size_t>(claimed, 36));
  s.truncated = len < claimed;
  if (usable > 5) {
    s.sccs = (data[5] & 0x80) != 0;
    s.acc = (data[5] & 0x40) != 0;
    s.tpgs = static_cast<std::uint8_t>((data[5] >> 4) & 0x03);
    s.threePc = (data[5] & 0x08) != 0;
    s.protect = (data[5] & 0x01) != 0;
  }
  if (usable > 6) {
    s.encserv = (data[6] & 0x40) != 0;
    s.multip = (data[6] & 0x10) != 0;
  }
  if (usable > 7) s.cmdque = (data[7] & 0x02) != 0;
  auto field = [&](std::size_t from, std::size_t to) -> std::string {
    if (usable <= from) return std::string();
    return asciiField(data + from, std::min(usable, to) - from);
  };
  s.vendor = field(8, 16);
  s.product = field(16, 32);
  s.revision = field(32, 36);
  for (std::size_t off = 58; off + 2 <= usable && off < 74; off += 2) {
    const std::uint16_t v = be16(data + off);
    if (v != 0) s.versionDescriptors.push_back(v);
  }
  if (usable < 36 && problem != nullptr && problem->empty()) {
    *problem = "standard INQUIRY data has " + std::to_string(usable) +
               " bytes, fewer than the 36 mandatory ones";
  }
  return s;
}

InquiryData decodeInquiry(const std::uint8_t* data, std::size_t len, int page) {
  InquiryData out;
  out.page = page;
  if (data == nullptr) len = 0;
  if (page < 0) {
    out.hasStandard = true;
    out.standard = decodeStandardInquiry(data, len, &out.problem);
    out.peripheralQualifier = out.standard.peripheralQualifier;
    out.peripheralDeviceType = out.standard.peripheralDeviceType;
    out.truncated = out.standard.truncated;
    return out;
  }
  if (len < 4) {
    out.truncated = true;
    out.problem = "VPD page data shorter than the 4-byte header";
    if (len > 0) {
      out.peripheralQualifier = static_cast<std::uint8_t>(data[0] >> 5);
      out.peripheralDeviceType = static_cast<std::uint8_t>(data[0] & 0x1f);
    }
    return out;
  }
  out.peripheralQualifier = static_cast<std::uint8_t>(data[0] >> 5);
  out.peripheralDeviceType = static_cast<std::uint8_t>(data[0] & 0x1f);
  out.pageCode = data[1];
  out.pageLength = be16(data + 2);
  const std::size_t claimed = 4 + static_cast<std::size_t>(out.pageLength);
  out.truncated = len < claimed;
  const std::size_t end = std::min(len, claimed);
  if (static_cast<int>(out.pageCode) != page) {
    out.problem = "device returned VPD page " + hexByte(out.pageCode) + " for page " +
                  hexByte(static_cast<unsigned>(page));
    return out;
  }
  switch (page) {
    case 0x00: decodeSupportedPages(data, end, &out); break;
    case 0x80: decodeUnitSerial(data, end, &out); break;
    case 0x83: decodeDeviceIdentification(data, end, &out); break;
    default: break;
  }
  return out;
}

}  // namespace scsi
}  // namespace rtslib
