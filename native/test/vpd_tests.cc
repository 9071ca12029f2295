// Native unit tests of SCSI discovery's pure parts: known answers of the
// INQUIRY/VPD decoder on constructed pages (the same bytes as the fuzz seed
// corpus, cross-checked with sg3_utils' `sg_inq --inhex`), malformed pages,
// and the sysfs reader over a fake tree in a temporary directory. Real
// devices are tested in the kernel VM (test/kernel/scsi-discovery.test.ts).
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sysfs_scsi.h"
#include "test_harness.h"
#include "vpd_decoder.h"

namespace {

using namespace rtslib_test;
using Bytes = std::vector<std::uint8_t>;
using namespace rtslib::scsi;

const char kSerial[] = "7f0c1f4c-6b7e-4a3b-9f6a-0123456789ab";

void put(Bytes* b, std::size_t at, const std::string& text, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) {
    (*b)[at + i] = i < text.size() ? static_cast<std::uint8_t>(text[i]) : ' ';
  }
}

// (A loop, not insert(): GCC 12 -O2 reports a false -Warray-bounds on vector::insert.)
void append(Bytes* b, const Bytes& more) {
  for (std::uint8_t x : more) b->push_back(x);
}

Bytes fromText(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes vpdPage(std::uint8_t page, const Bytes& payload, std::uint8_t pdt = 0) {
  Bytes b = {pdt, page, static_cast<std::uint8_t>(payload.size() >> 8),
             static_cast<std::uint8_t>(payload.size() & 0xff)};
  append(&b, payload);
  return b;
}

Bytes designator(std::uint8_t codeSet, std::uint8_t assoc, std::uint8_t type, const Bytes& id,
                 std::uint8_t proto = 0, bool piv = false) {
  Bytes b = {static_cast<std::uint8_t>((proto << 4) | codeSet),
             static_cast<std::uint8_t>((piv ? 0x80 : 0) | (assoc << 4) | type), 0,
             static_cast<std::uint8_t>(id.size())};
  append(&b, id);
  return b;
}

Bytes standardLio() {
  Bytes b(96, 0);
  b[2] = 0x06;
  b[3] = 0x12;
  b[4] = 91;
  b[5] = 0x18;
  b[7] = 0x02;
  put(&b, 8, "LIO-ORG", 8);
  put(&b, 16, "demo_ram", 16);
  put(&b, 32, "4.0", 4);
  b[58] = 0x04;
  b[59] = 0x60;
  b[60] = 0x06;
  b[61] = 0x00;
  b[62] = 0x04;
  b[63] = 0xc0;
  return b;
}

Bytes page83() {
  Bytes naa = {0x60, 0x01, 0x40, 0x5f, 0x7f, 0x0c, 0x1f, 0x4c,
               0x6b, 0x7e, 0x4a, 0x3b, 0x9f, 0x6a, 0x01, 0x23};
  Bytes t10(8, ' ');
  put(&t10, 0, "LIO-ORG", 8);
  append(&t10, fromText(kSerial));
  Bytes name = fromText("naa.5001405abcdef012,t,0x0001");
  name.resize(name.size() + 3, 0);
  Bytes payload;
  append(&payload, designator(1, 0, 3, naa));
  append(&payload, designator(2, 0, 1, t10));
  append(&payload, designator(1, 1, 4, {0, 0, 0, 1}, 5, true));
  append(&payload, designator(1, 1, 5, {0, 0, 0x01, 0x00}, 5, true));
  append(&payload, designator(3, 1, 8, name, 5, true));
  append(&payload, designator(1, 0, 2, {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}));
  append(&payload, designator(1, 0, 0xb, {0xde, 0xad}));
  return vpdPage(0x83, payload);
}

// ---------------------------------------------------------------------------

void testStandardInquiry() {
  const Bytes b = standardLio();
  const InquiryData q = decodeInquiry(b.data(), b.size(), -1);
  CHECK(q.hasStandard);
  CHECK(q.problem.empty());
  CHECK(!q.truncated);
  const StandardInquiry& s = q.standard;
  CHECK_EQ(s.peripheralQualifier, 0);
  CHECK_EQ(s.peripheralDeviceType, 0);
  CHECK_EQ(s.version, 0x06);
  CHECK(s.hisup);
  CHECK(!s.normaca);
  CHECK_EQ(s.responseDataFormat, 2);
  CHECK_EQ(s.additionalLength, 91);
  CHECK_EQ(s.tpgs, 1);
  CHECK(s.threePc);
  CHECK(s.cmdque);
  CHECK(!s.removable);
  CHECK_EQ(s.vendor, std::string("LIO-ORG"));
  CHECK_EQ(s.product, std::string("demo_ram"));
  CHECK_EQ(s.revision, std::string("4.0"));
  CHECK_EQ(s.versionDescriptors, (std::vector<std::uint16_t>{0x0460, 0x0600, 0x04c0}));
  CHECK_EQ(inquiryClaimedLength(b.data(), b.size(), false), 96u);
}

void testStandardInquiryShortAndTape() {
  Bytes b(36, 0);
  b[0] = 0x01;
  b[1] = 0x80;
  b[2] = 0x05;
  b[3] = 0x02;
  b[4] = 31;
  put(&b, 8, "Linux", 8);
  put(&b, 16, "scsi_debug", 16);
  put(&b, 32, "0191", 4);
  InquiryData q = decodeInquiry(b.data(), b.size(), -1);
  CHECK(q.problem.empty());
  CHECK_EQ(q.peripheralDeviceType, 1);
  CHECK(q.standard.removable);
  CHECK_EQ(q.standard.vendor, std::string("Linux"));
  CHECK_EQ(q.standard.product, std::string("scsi_debug"));
  CHECK_EQ(q.standard.revision, std::string("0191"));
  CHECK(q.standard.versionDescriptors.empty());

  // 20 of the 36 bytes: partial vendor/product, flagged.
  q = decodeInquiry(b.data(), 20, -1);
  CHECK(q.truncated);
  CHECK(!q.problem.empty());
  CHECK_EQ(q.standard.vendor, std::string("Linux"));
  CHECK_EQ(q.standard.product, std::string("scsi"));
  CHECK_EQ(q.standard.revision, std::string(""));

  // Fewer than 5 bytes; nothing at all.
  q = decodeInquiry(b.data(), 3, -1);
  CHECK(q.truncated);
  CHECK(!q.problem.empty());
  CHECK_EQ(q.standard.version, 0x05);
  q = decodeInquiry(nullptr, 0, -1);
  CHECK(!q.problem.empty());

  // ADDITIONAL LENGTH under-reported (0) but 36 bytes returned: decoded.
  b[4] = 0;
  q = decodeInquiry(b.data(), b.size(), -1);
  CHECK(!q.truncated);
  CHECK_EQ(q.standard.revision, std::string("0191"));

  // NULs, padding and non-printable bytes in ASCII fields.
  put(&b, 8, "", 8);
  b[8] = ' ';
  b[9] = 'A';
  b[10] = 0x01;
  b[11] = 'B';
  b[12] = 0;
  q = decodeInquiry(b.data(), b.size(), -1);
  CHECK_EQ(q.standard.vendor, std::string("A?B"));
}

void testSupportedPages() {
  const Bytes b = vpdPage(0x00, {0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2});
  InquiryData q = decodeInquiry(b.data(), b.size(), 0x00);
  CHECK(q.problem.empty());
  CHECK(q.hasSupportedPages);
  CHECK_EQ(q.pageCode, 0x00);
  CHECK_EQ(q.pageLength, 7);
  CHECK_EQ(q.supportedPages, (std::vector<std::uint8_t>{0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2}));
  // Page length larger than the transfer: what arrived, flagged.
  q = decodeInquiry(b.data(), 6, 0x00);
  CHECK(q.truncated);
  CHECK_EQ(q.supportedPages, (std::vector<std::uint8_t>{0x00, 0x80}));
  // Trailing bytes beyond the page length are ignored.
  Bytes longer = b;
  longer.push_back(0xc0);
  q = decodeInquiry(longer.data(), longer.size(), 0x00);
  CHECK_EQ(q.supportedPages.size(), 7u);
}

void testUnitSerial() {
  Bytes payload = fromText(kSerial);
  Bytes b = vpdPage(0x80, payload);
  InquiryData q = decodeInquiry(b.data(), b.size(), 0x80);
  CHECK(q.problem.empty());
  CHECK(q.hasUnitSerial);
  CHECK_EQ(q.unitSerial, std::string(kSerial));
  // scsi_debug style, and space padded on both sides.
  b = vpdPage(0x80, fromText("  2000    "), 0x01);
  q = decodeInquiry(b.data(), b.size(), 0x80);
  CHECK_EQ(q.unitSerial, std::string("2000"));
  CHECK_EQ(q.peripheralDeviceType, 1);
  // Empty page.
  b = vpdPage(0x80, {});
  q = decodeInquiry(b.data(), b.size(), 0x80);
  CHECK(q.hasUnitSerial);
  CHECK_EQ(q.unitSerial, std::string(""));
  // The device answered with another page.
  q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK(!q.hasDesignators);
  CHECK_EQ(q.problem, std::string("device returned VPD page 0x80 for page 0x83"));
  // Shorter than the header.
  q = decodeInquiry(b.data(), 3, 0x80);
  CHECK(!q.hasUnitSerial);
  CHECK(q.truncated);
  CHECK(!q.problem.empty());
}

void testDeviceIdentification() {
  const Bytes b = page83();
  const InquiryData q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK(q.problem.empty());
  CHECK(!q.truncated);
  CHECK(q.hasDesignators);
  CHECK_EQ(q.designators.size(), 7u);
  if (q.designators.size() != 7) return;

  const Designator& naa = q.designators[0];
  CHECK_EQ(std::string(designatorTypeName(naa.type)), std::string("naa"));
  CHECK_EQ(std::string(codeSetName(naa.codeSet)), std::string("binary"));
  CHECK_EQ(std::string(associationName(naa.association)), std::string("lun"));
  CHECK(naa.hasNaa);
  CHECK_EQ(naa.naa, 6);
  CHECK(!designatorIsText(naa));
  CHECK_EQ(designatorIdentifier(naa), std::string("6001405f7f0c1f4c6b7e4a3b9f6a0123"));

  const Designator& t10 = q.designators[1];
  CHECK_EQ(std::string(designatorTypeName(t10.type)), std::string("t10"));
  CHECK_EQ(std::string(codeSetName(t10.codeSet)), std::string("ascii"));
  CHECK(t10.hasT10);
  CHECK_EQ(t10.t10VendorId, std::string("LIO-ORG"));
  CHECK_EQ(t10.t10VendorSpecific, std::string(kSerial));
  CHECK_EQ(designatorIdentifier(t10), std::string("LIO-ORG ") + kSerial);

  const Designator& rtp = q.designators[2];
  CHECK_EQ(std::string(designatorTypeName(rtp.type)), std::string("relative-target-port"));
  CHECK_EQ(std::string(associationName(rtp.association)), std::string("target-port"));
  CHECK(rtp.piv);
  CHECK_EQ(rtp.protocolIdentifier, 5);
  CHECK(rtp.hasNumber);
  CHECK_EQ(rtp.number, 1u);

  const Designator& tpg = q.designators[3];
  CHECK_EQ(std::string(designatorTypeName(tpg.type)), std::string("target-port-group"));
  CHECK_EQ(tpg.number, 0x100u);

  const Designator& name = q.designators[4];
  CHECK_EQ(std::string(designatorTypeName(name.type)), std::string("scsi-name"));
  CHECK_EQ(std::string(codeSetName(name.codeSet)), std::string("utf8"));
  CHECK(designatorIsText(name));
  CHECK_EQ(designatorIdentifier(name), std::string("naa.5001405abcdef012,t,0x0001"));

  const Designator& eui = q.designators[5];
  CHECK_EQ(std::string(designatorTypeName(eui.type)), std::string("eui64"));
  CHECK_EQ(designatorIdentifier(eui), std::string("0123456789abcdef"));

  const Designator& reserved = q.designators[6];
  CHECK_EQ(reserved.type, 0xb);
  CHECK_EQ(std::string(designatorTypeName(reserved.type)), std::string("reserved"));
  CHECK_EQ(designatorIdentifier(reserved), std::string("dead"));
}

void testDeviceIdentificationMalformed() {
  const Bytes full = page83();
  // Cut inside the second designator (40 bytes: header 4 + 20 + 16 of 48).
  InquiryData q = decodeInquiry(full.data(), 40, 0x83);
  CHECK(q.truncated);
  CHECK(!q.problem.empty());
  CHECK_EQ(q.designators.size(), 2u);
  if (q.designators.size() == 2) {
    CHECK(!q.designators[0].truncated);
    CHECK(q.designators[1].truncated);
    CHECK_EQ(q.designators[1].identifier.size(), 12u);
  }
  // A designator length that runs past the page length (transfer complete).
  Bytes b = vpdPage(0x83, designator(1, 0, 3, {0x60, 1, 2, 3}));
  b[7] = 200;
  q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK_EQ(q.designators.size(), 1u);
  CHECK(q.truncated);
  CHECK(!q.problem.empty());
  // A page ending in the middle of a designator header.
  b = vpdPage(0x83, {0x01, 0x03});
  q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK(q.designators.empty());
  CHECK(!q.problem.empty());
  // Page length 0xffff with 4 bytes: nothing read past the end.
  b = {0x00, 0x83, 0xff, 0xff};
  q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK(q.truncated);
  CHECK(q.designators.empty());
  CHECK_EQ(inquiryClaimedLength(b.data(), b.size(), true), 0x10003u);
  // Zero-length designators and short numeric designators decode safely.
  b = vpdPage(0x83, Bytes{0x01, 0x03, 0, 0, 0x01, 0x04, 0, 2, 0, 1});
  q = decodeInquiry(b.data(), b.size(), 0x83);
  CHECK_EQ(q.designators.size(), 2u);
  if (q.designators.size() == 2) {
    CHECK(!q.designators[0].hasNaa);
    CHECK(!q.designators[1].hasNumber);
  }
}

void testNames() {
  CHECK_EQ(peripheralTypeName(0), std::string("disk"));
  CHECK_EQ(peripheralTypeName(1), std::string("tape"));
  CHECK_EQ(peripheralTypeName(5), std::string("cd/dvd"));
  CHECK_EQ(peripheralTypeName(8), std::string("mediumx"));
  CHECK_EQ(peripheralTypeName(0xd), std::string("enclosure"));
  CHECK_EQ(peripheralTypeName(0x14), std::string("zbc"));
  CHECK_EQ(peripheralTypeName(0x1e), std::string("wlun"));
  CHECK_EQ(peripheralTypeName(0x1f), std::string("no-device"));
  CHECK_EQ(peripheralTypeName(0x15), std::string("reserved-0x15"));
  CHECK_EQ(peripheralTypeName(-1), std::string("unknown"));
  CHECK_EQ(peripheralTypeName(32), std::string("unknown"));
}

// ---------------------------------------------------------------------------
// sysfs over a fake tree.

void link(const std::string& target, const std::string& path) {
  mkdirs(path.substr(0, path.find_last_of('/')));
  if (::symlink(target.c_str(), path.c_str()) != 0) {
    std::perror(path.c_str());
    std::exit(2);
  }
}

// A sysfs-like tree: host0 with a disk (sda, sda1, sg0) and a tape (st0..,
// sg1), host3 with a changer (sch0, sg2); devices live under devices/ and
// are reached through bus/scsi/devices and class links, as in real sysfs.
std::string makeFakeSysfs() {
  const std::string root = g_tmp + "/sys";
  const std::string h0 = root + "/devices/pseudo_0/adapter0/host0";
  writeFile(h0 + "/scsi_host/host0/proc_name", "scsi_debug\n");
  writeFile(h0 + "/scsi_host/host0/can_queue", "192\n");
  writeFile(h0 + "/scsi_host/host0/uevent", "");
  writeFile(h0 + "/scsi_host/host0/host_reset", "", 0200);
  mkdirs(h0 + "/scsi_host/host0/power");
  link("../../devices/pseudo_0/adapter0/host0/scsi_host/host0", root + "/class/scsi_host/host0");
  const std::string h3 = root + "/devices/pci0000:00/host3";
  writeFile(h3 + "/scsi_host/host3/can_queue", "1\n");  // no proc_name
  link("../../devices/pci0000:00/host3/scsi_host/host3", root + "/class/scsi_host/host3");
  link("../../devices/virtual/x", root + "/class/scsi_host/notahost");

  // Disk 0:0:0:0.
  const std::string disk = h0 + "/target0:0:0/0:0:0:0";
  writeFile(disk + "/type", "0\n");
  writeFile(disk + "/vendor", "Linux   \n");
  writeFile(disk + "/model", "scsi_debug      \n");
  writeFile(disk + "/rev", "0191\n");
  writeFile(disk + "/state", "running\n");
  writeFile(disk + "/queue_depth", "32\n");
  writeFile(disk + "/block/sda/dev", "8:0\n");
  writeFile(disk + "/block/sda/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
  writeFile(disk + "/block/sda/sda1/dev", "8:1\n");
  writeFile(disk + "/scsi_generic/sg0/dev", "21:0\n");
  writeFile(disk + "/bsg/0:0:0:0/dev", "250:0\n");
  writeFile(disk + "/bsg/0:0:0:0/uevent", "MAJOR=250\nMINOR=0\nDEVNAME=bsg/0:0:0:0\n");
  mkdirs(disk + "/scsi_device/0:0:0:0");
  mkdirs(disk + "/power");
  link("../../../../../bus/scsi", disk + "/subsystem");
  link("scsi_generic/sg0", disk + "/generic");
  link("../../../devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0",
       root + "/bus/scsi/devices/0:0:0:0");
  link("../../devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0/block/sda",
       root + "/dev/block/8:0");
  link("../../devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0/block/sda/sda1",
       root + "/dev/block/8:1");
  link("../../devices/pseudo_0/adapter0/host0/target0:0:0/0:0:0:0/scsi_generic/sg0",
       root + "/dev/char/21:0");

  // Tape 0:0:1:0 (no /sys/dev/char links: found by scanning).
  const std::string tape = h0 + "/target0:0:1/0:0:1:0";
  writeFile(tape + "/type", "1\n");
  writeFile(tape + "/vendor", "HP      \n");
  writeFile(tape + "/model", "Ultrium 5-SCSI  \n");
  writeFile(tape + "/rev", "Z39W\n");
  writeFile(tape + "/state", "running\n");
  const char* tapes[][2] = {{"st0", "9:0"},     {"st0l", "9:32"},  {"st0m", "9:64"},
                            {"st0a", "9:96"},   {"nst0", "9:128"}, {"nst0l", "9:160"},
                            {"nst0m", "9:192"}, {"nst0a", "9:224"}};
  for (const auto& t : tapes) {
    writeFile(tape + "/scsi_tape/" + t[0] + "/dev", std::string(t[1]) + "\n");
  }
  writeFile(tape + "/scsi_generic/sg1/dev", "21:1\n");
  link("../../../devices/pseudo_0/adapter0/host0/target0:0:1/0:0:1:0",
       root + "/bus/scsi/devices/0:0:1:0");

  // Changer 3:0:2:5, deprecated-style class links.
  const std::string changer = h3 + "/target3:0:2/3:0:2:5";
  writeFile(changer + "/type", "8\n");
  writeFile(changer + "/vendor", "STK\n");
  writeFile(changer + "/model", "L700\n");
  writeFile(changer + "/rev", "0104\n");
  writeFile(changer + "/state", "offline\n");
  writeFile(root + "/class/scsi_changer/sch0/dev", "86:0\n");
  writeFile(root + "/class/scsi_generic/sg2/dev", "21:2\n");
  link("../../../../../class/scsi_changer/sch0", changer + "/scsi_changer:sch0");
  link("../../../../../class/scsi_generic/sg2", changer + "/scsi_generic:sg2");
  link("../../../devices/pci0000:00/host3/target3:0:2/3:0:2:5", root + "/bus/scsi/devices/3:0:2:5");
  link("../../../devices/pseudo_0/adapter0/host0", root + "/bus/scsi/devices/host0");
  link("../../../devices/pseudo_0/adapter0/host0/target0:0:0",
       root + "/bus/scsi/devices/target0:0:0");
  // A char device that is not SCSI.
  writeFile(root + "/devices/virtual/mem/null/dev", "1:3\n");
  link("../../devices/virtual/mem/null", root + "/dev/char/1:3");
  return root;
}

void testParsers() {
  ScsiAddress a;
  CHECK(parseHctl("0:0:0:0", &a));
  CHECK(parseHctl("12:3:45:1099511627776", &a));
  CHECK_EQ(a.host, 12u);
  CHECK_EQ(a.channel, 3u);
  CHECK_EQ(a.target, 45u);
  CHECK_EQ(a.lun, 1099511627776ull);
  CHECK(!parseHctl("0:0:0", &a));
  CHECK(!parseHctl("0:0:0:0:0", &a));
  CHECK(!parseHctl("target0:0:0", &a));
  CHECK(!parseHctl("0::0:0", &a));
  CHECK(!parseHctl("0:0:0:", &a));
  CHECK(!parseHctl("4294967296:0:0:0", &a));
  CHECK(!parseHctl("-1:0:0:0", &a));
  std::uint32_t ma = 0, mi = 0;
  CHECK(parseDevNumber("8:16\n", &ma, &mi));
  CHECK_EQ(ma, 8u);
  CHECK_EQ(mi, 16u);
  CHECK(!parseDevNumber("8\n", &ma, &mi));
  CHECK(!parseDevNumber("a:b", &ma, &mi));
  CHECK_EQ(trimValue("  Linux   \n"), std::string("Linux"));
}

void testSysfs() {
  const std::string root = makeFakeSysfs();
  SysError e;

  std::vector<ScsiHost> hosts;
  CHECK(listHosts(root, &hosts, &e));
  CHECK_EQ(hosts.size(), 2u);
  if (hosts.size() == 2) {
    CHECK_EQ(hosts[0].number, 0u);
    CHECK(hosts[0].hasProcName);
    CHECK_EQ(hosts[0].procName, std::string("scsi_debug"));
    CHECK_EQ(hosts[0].attributes.size(), 3u);  // proc_name, can_queue, uevent; not host_reset
    CHECK_EQ(hosts[0].attributes["can_queue"], std::string("192"));
    CHECK(hosts[0].attributes.count("host_reset") == 0);
    CHECK_EQ(hosts[1].number, 3u);
    CHECK(!hosts[1].hasProcName);
  }

  std::vector<ScsiDevice> devices;
  CHECK(listDevices(root, &devices, &e));
  CHECK_EQ(devices.size(), 3u);
  if (devices.size() == 3) {
    const ScsiDevice& d = devices[0];
    CHECK_EQ(d.hctl, std::string("0:0:0:0"));
    CHECK_EQ(d.type, 0);
    CHECK_EQ(d.typeName, std::string("disk"));
    CHECK_EQ(d.vendor, std::string("Linux"));
    CHECK_EQ(d.model, std::string("scsi_debug"));
    CHECK_EQ(d.rev, std::string("0191"));
    CHECK_EQ(d.state, std::string("running"));
    CHECK(d.hasQueueDepth);
    CHECK_EQ(d.queueDepth, 32u);
    CHECK_EQ(d.blockDevice, std::string("/dev/sda"));
    CHECK_EQ(d.sgDevice, std::string("/dev/sg0"));
    CHECK(d.tapeDevices.empty());
    CHECK_EQ(d.changerDevice, std::string(""));
    CHECK_EQ(d.nodes.size(), 3u);  // block/sda, bsg/0:0:0:0, scsi_generic/sg0
    if (d.nodes.size() == 3) {
      CHECK_EQ(d.nodes[0].subsystem, std::string("block"));
      CHECK_EQ(d.nodes[1].devNode, std::string("/dev/bsg/0:0:0:0"));
      CHECK_EQ(d.nodes[1].major, 250u);
    }

    const ScsiDevice& t = devices[1];
    CHECK_EQ(t.hctl, std::string("0:0:1:0"));
    CHECK_EQ(t.typeName, std::string("tape"));
    CHECK(!t.hasQueueDepth);
    CHECK_EQ(t.vendor, std::string("HP"));
    CHECK_EQ(t.model, std::string("Ultrium 5-SCSI"));
    CHECK_EQ(t.blockDevice, std::string(""));
    CHECK_EQ(t.sgDevice, std::string("/dev/sg1"));
    CHECK_EQ(t.tapeDevices,
             (std::vector<std::string>{"/dev/st0", "/dev/st0a", "/dev/st0l", "/dev/st0m",
                                       "/dev/nst0", "/dev/nst0a", "/dev/nst0l", "/dev/nst0m"}));

    const ScsiDevice& c = devices[2];
    CHECK_EQ(c.hctl, std::string("3:0:2:5"));
    CHECK_EQ(c.address.host, 3u);
    CHECK_EQ(c.address.lun, 5u);
    CHECK_EQ(c.typeName, std::string("mediumx"));
    CHECK_EQ(c.state, std::string("offline"));
    CHECK_EQ(c.changerDevice, std::string("/dev/sch0"));
    CHECK_EQ(c.sgDevice, std::string("/dev/sg2"));
  }

  ScsiDevice d;
  CHECK(readDevice(root, "0:0:1:0", &d, &e));
  CHECK_EQ(d.typeName, std::string("tape"));
  CHECK(!readDevice(root, "9:9:9:9", &d, &e));
  CHECK_EQ(e.err, ENOENT);

  // By device number: through /sys/dev links, a partition, by scanning.
  CHECK(findDeviceByDevNumber(root, true, 8, 0, &d, &e));
  CHECK_EQ(d.hctl, std::string("0:0:0:0"));
  CHECK(findDeviceByDevNumber(root, true, 8, 1, &d, &e));
  CHECK_EQ(d.hctl, std::string("0:0:0:0"));
  CHECK(findDeviceByDevNumber(root, false, 21, 0, &d, &e));
  CHECK_EQ(d.hctl, std::string("0:0:0:0"));
  CHECK(findDeviceByDevNumber(root, false, 9, 128, &d, &e));
  CHECK_EQ(d.hctl, std::string("0:0:1:0"));
  CHECK(findDeviceByDevNumber(root, false, 86, 0, &d, &e));
  CHECK_EQ(d.hctl, std::string("3:0:2:5"));
  // Block 21:0 is not the sg node (char 21:0).
  CHECK(!findDeviceByDevNumber(root, true, 21, 0, &d, &e));
  CHECK_EQ(e.err, ENODEV);
  CHECK(!findDeviceByDevNumber(root, false, 1, 3, &d, &e));
  CHECK_EQ(e.err, ENODEV);
  CHECK(!findDeviceByDevNumber(root, false, 99, 99, &d, &e));
  CHECK_EQ(e.err, ENODEV);

  // resolveDevicePath: stat errors and non-device files.
  CHECK(!resolveDevicePath(root, g_tmp + "/missing", &d, &e));
  CHECK_EQ(e.err, ENOENT);
  CHECK_EQ(std::string(e.syscall), std::string("stat"));
  CHECK_EQ(e.path, g_tmp + "/missing");
  CHECK(!resolveDevicePath(root, root + "/devices/virtual/mem/null/dev", &d, &e));
  CHECK_EQ(e.err, ENODEV);
  // /dev/null exists everywhere: a character device that is not SCSI.
  CHECK(!resolveDevicePath(root, "/dev/null", &d, &e));
  CHECK_EQ(e.err, ENODEV);
  CHECK_EQ(e.path, std::string("/dev/null"));

  // A root without SCSI: empty lists; a missing root: ENOENT.
  mkdirs(g_tmp + "/empty");
  CHECK(listHosts(g_tmp + "/empty", &hosts, &e));
  CHECK(hosts.empty());
  CHECK(listDevices(g_tmp + "/empty", &devices, &e));
  CHECK(devices.empty());
  CHECK(!listHosts(g_tmp + "/nonexistent", &hosts, &e));
  CHECK_EQ(e.err, ENOENT);
  CHECK(!listDevices(g_tmp + "/nonexistent", &devices, &e));
  CHECK_EQ(e.err, ENOENT);
}

}  // namespace

int main() {
  return runTests({
      {"standard INQUIRY", testStandardInquiry},
      {"standard INQUIRY short/tape", testStandardInquiryShortAndTape},
      {"VPD 0x00", testSupportedPages},
      {"VPD 0x80", testUnitSerial},
      {"VPD 0x83", testDeviceIdentification},
      {"VPD 0x83 malformed", testDeviceIdentificationMalformed},
      {"type names", testNames},
      {"parsers", testParsers},
      {"sysfs", testSysfs},
  });
}
