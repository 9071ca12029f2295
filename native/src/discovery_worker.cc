#include "discovery_worker.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "js_util.h"
#include "promise_worker.h"
#include "scsi_error.h"
#include "scsi_ioctl.h"
#include "sysfs_scsi.h"
#include "vpd_decoder.h"

namespace rtslib {

namespace scsi {

// The rejection of a failed discovery job (see promise_worker.h): the system
// error plus, for a failed SCSI command, its statuses and sense data.
Napi::Value rejectionValue(Napi::Env env, const SysError& e) {
  Napi::Error error = js::toJsError(env, e);
  if (e.hasScsiStatus) {
    error.Set("scsiStatus", Napi::Number::New(env, e.scsiStatus));
    error.Set("hostStatus", Napi::Number::New(env, e.hostStatus));
    error.Set("driverStatus", Napi::Number::New(env, e.driverStatus));
    if (e.hasSense) {
      error.Set("senseKey", Napi::Number::New(env, e.senseKey));
      error.Set("asc", Napi::Number::New(env, e.asc));
      error.Set("ascq", Napi::Number::New(env, e.ascq));
    }
  }
  return error.Value();
}

}  // namespace scsi

namespace {

using scsi::SysError;

constexpr const char* kDefaultSysfsRoot = "/sys";

// ---------------------------------------------------------------------------
// Argument validation (JS thread, before any system call).

// An absolute path without NUL bytes; TypeError otherwise.
bool readAbsolutePath(Napi::Env env, const Napi::Value& value, const std::string& what,
                      std::string* out) {
  if (!value.IsString()) {
    js::throwTypeError(env, what + " must be a string");
    return false;
  }
  *out = value.As<Napi::String>().Utf8Value();
  if (out->empty() || (*out)[0] != '/') {
    js::throwTypeError(env, what + " must be an absolute path");
    return false;
  }
  if (out->find('\0') != std::string::npos) {
    js::throwTypeError(env, what + " must not contain a NUL byte");
    return false;
  }
  return true;
}

// The options argument at `index`: undefined (absent) or an object.
bool readOptions(const Napi::CallbackInfo& info, std::size_t index, const std::string& fn,
                 Napi::Object* out, bool* present) {
  *present = false;
  if (info.Length() <= index || info[index].IsUndefined()) return true;
  if (!info[index].IsObject()) {
    js::throwTypeError(info.Env(), fn + ": options must be an object");
    return false;
  }
  *out = info[index].As<Napi::Object>();
  *present = true;
  return true;
}

// options.sysfsRoot, default /sys, trailing slashes removed ("/" kept).
bool readSysfsRoot(const Napi::CallbackInfo& info, std::size_t index, const std::string& fn,
                   std::string* out) {
  *out = kDefaultSysfsRoot;
  Napi::Object options;
  bool present = false;
  if (!readOptions(info, index, fn, &options, &present)) return false;
  if (!present) return true;
  Napi::Value v;
  if (!js::get(options, "sysfsRoot", &v)) return false;
  if (v.IsUndefined()) return true;
  if (!readAbsolutePath(info.Env(), v, fn + ": options.sysfsRoot", out)) return false;
  while (out->size() > 1 && out->back() == '/') out->pop_back();
  return true;
}

bool readDevicePath(const Napi::CallbackInfo& info, const std::string& fn, std::string* out) {
  if (info.Length() < 1) {
    js::throwTypeError(info.Env(), fn + ": path must be a string");
    return false;
  }
  return readAbsolutePath(info.Env(), info[0], fn + ": path", out);
}

// ---------------------------------------------------------------------------
// Results to JavaScript values.

Napi::Value stringOrNull(Napi::Env env, const std::string& s) {
  if (s.empty()) return env.Null();
  return Napi::String::New(env, s);
}

Napi::Object hostToJs(Napi::Env env, const scsi::ScsiHost& h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("host", Napi::Number::New(env, h.number));
  o.Set("procName", h.hasProcName ? Napi::Value(Napi::String::New(env, h.procName)) : env.Null());
  Napi::Object attributes = Napi::Object::New(env);
  for (const auto& kv : h.attributes) attributes.Set(kv.first, Napi::String::New(env, kv.second));
  o.Set("attributes", attributes);
  return o;
}

Napi::Object deviceToJs(Napi::Env env, const scsi::ScsiDevice& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("host", Napi::Number::New(env, d.address.host));
  o.Set("channel", Napi::Number::New(env, d.address.channel));
  o.Set("target", Napi::Number::New(env, d.address.target));
  o.Set("lun", Napi::Number::New(env, static_cast<double>(d.address.lun)));
  o.Set("hctl", Napi::String::New(env, d.hctl));
  o.Set("type", Napi::Number::New(env, d.type));
  o.Set("typeName", Napi::String::New(env, d.typeName));
  o.Set("vendor", Napi::String::New(env, d.vendor));
  o.Set("model", Napi::String::New(env, d.model));
  o.Set("rev", Napi::String::New(env, d.rev));
  o.Set("state", Napi::String::New(env, d.state));
  o.Set("queueDepth",
        d.hasQueueDepth ? Napi::Value(Napi::Number::New(env, d.queueDepth)) : env.Null());
  o.Set("blockDevice", stringOrNull(env, d.blockDevice));
  o.Set("sgDevice", stringOrNull(env, d.sgDevice));
  Napi::Array tapes = Napi::Array::New(env, d.tapeDevices.size());
  for (std::size_t i = 0; i < d.tapeDevices.size(); ++i) {
    tapes.Set(static_cast<std::uint32_t>(i), Napi::String::New(env, d.tapeDevices[i]));
  }
  o.Set("tapeDevices", tapes);
  o.Set("changerDevice", stringOrNull(env, d.changerDevice));
  Napi::Array nodes = Napi::Array::New(env, d.nodes.size());
  for (std::size_t i = 0; i < d.nodes.size(); ++i) {
    const scsi::ScsiNode& n = d.nodes[i];
    Napi::Object node = Napi::Object::New(env);
    node.Set("subsystem", Napi::String::New(env, n.subsystem));
    node.Set("name", Napi::String::New(env, n.name));
    node.Set("devNode", Napi::String::New(env, n.devNode));
    node.Set("major", n.hasDev ? Napi::Value(Napi::Number::New(env, n.major)) : env.Null());
    node.Set("minor", n.hasDev ? Napi::Value(Napi::Number::New(env, n.minor)) : env.Null());
    nodes.Set(static_cast<std::uint32_t>(i), node);
  }
  o.Set("nodes", nodes);
  return o;
}

Napi::Object standardToJs(Napi::Env env, const scsi::StandardInquiry& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("peripheralQualifier", Napi::Number::New(env, s.peripheralQualifier));
  o.Set("peripheralDeviceType", Napi::Number::New(env, s.peripheralDeviceType));
  o.Set("removable", Napi::Boolean::New(env, s.removable));
  o.Set("version", Napi::Number::New(env, s.version));
  o.Set("normaca", Napi::Boolean::New(env, s.normaca));
  o.Set("hisup", Napi::Boolean::New(env, s.hisup));
  o.Set("responseDataFormat", Napi::Number::New(env, s.responseDataFormat));
  o.Set("additionalLength", Napi::Number::New(env, s.additionalLength));
  o.Set("sccs", Napi::Boolean::New(env, s.sccs));
  o.Set("acc", Napi::Boolean::New(env, s.acc));
  o.Set("tpgs", Napi::Number::New(env, s.tpgs));
  o.Set("threePc", Napi::Boolean::New(env, s.threePc));
  o.Set("protect", Napi::Boolean::New(env, s.protect));
  o.Set("encserv", Napi::Boolean::New(env, s.encserv));
  o.Set("multip", Napi::Boolean::New(env, s.multip));
  o.Set("cmdque", Napi::Boolean::New(env, s.cmdque));
  o.Set("vendor", Napi::String::New(env, s.vendor));
  o.Set("product", Napi::String::New(env, s.product));
  o.Set("revision", Napi::String::New(env, s.revision));
  Napi::Array descriptors = Napi::Array::New(env, s.versionDescriptors.size());
  for (std::size_t i = 0; i < s.versionDescriptors.size(); ++i) {
    descriptors.Set(static_cast<std::uint32_t>(i), Napi::Number::New(env, s.versionDescriptors[i]));
  }
  o.Set("versionDescriptors", descriptors);
  return o;
}

Napi::Object designatorToJs(Napi::Env env, const scsi::Designator& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("type", Napi::Number::New(env, d.type));
  o.Set("typeName", Napi::String::New(env, scsi::designatorTypeName(d.type)));
  o.Set("codeSet", Napi::Number::New(env, d.codeSet));
  o.Set("codeSetName", Napi::String::New(env, scsi::codeSetName(d.codeSet)));
  o.Set("association", Napi::Number::New(env, d.association));
  o.Set("associationName", Napi::String::New(env, scsi::associationName(d.association)));
  o.Set("protocolIdentifier", Napi::Number::New(env, d.protocolIdentifier));
  o.Set("piv", Napi::Boolean::New(env, d.piv));
  o.Set("identifier", Napi::String::New(env, scsi::designatorIdentifier(d)));
  o.Set("hex", Napi::String::New(env, scsi::toHex(d.identifier.data(), d.identifier.size())));
  o.Set("truncated", Napi::Boolean::New(env, d.truncated));
  if (d.hasNaa) o.Set("naa", Napi::Number::New(env, d.naa));
  if (d.hasT10) {
    o.Set("vendorId", Napi::String::New(env, d.t10VendorId));
    o.Set("vendorSpecific", Napi::String::New(env, d.t10VendorSpecific));
  }
  if (d.hasNumber) {
    const char* key = d.type == 4   ? "relativeTargetPort"
                      : d.type == 5 ? "targetPortGroup"
                                    : "logicalUnitGroup";
    o.Set(key, Napi::Number::New(env, d.number));
  }
  return o;
}

Napi::Object inquiryToJs(Napi::Env env, const std::vector<std::uint8_t>& raw,
                         const scsi::InquiryData& q) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("raw", Napi::Buffer<std::uint8_t>::Copy(env, raw.data(), raw.size()));
  o.Set("vpdPage", q.page < 0 ? env.Null() : Napi::Value(Napi::Number::New(env, q.page)));
  o.Set("peripheralQualifier", Napi::Number::New(env, q.peripheralQualifier));
  o.Set("peripheralDeviceType", Napi::Number::New(env, q.peripheralDeviceType));
  o.Set("peripheralTypeName",
        Napi::String::New(env, scsi::peripheralTypeName(q.peripheralDeviceType)));
  if (q.page >= 0 && raw.size() >= 4) {
    o.Set("pageCode", Napi::Number::New(env, q.pageCode));
    o.Set("pageLength", Napi::Number::New(env, q.pageLength));
  }
  o.Set("truncated", Napi::Boolean::New(env, q.truncated));
  o.Set("problem", stringOrNull(env, q.problem));
  if (q.hasStandard) o.Set("standard", standardToJs(env, q.standard));
  if (q.hasSupportedPages) {
    Napi::Array pages = Napi::Array::New(env, q.supportedPages.size());
    for (std::size_t i = 0; i < q.supportedPages.size(); ++i) {
      pages.Set(static_cast<std::uint32_t>(i), Napi::Number::New(env, q.supportedPages[i]));
    }
    o.Set("supportedPages", pages);
  }
  if (q.hasUnitSerial) o.Set("unitSerial", Napi::String::New(env, q.unitSerial));
  if (q.hasDesignators) {
    Napi::Array list = Napi::Array::New(env, q.designators.size());
    for (std::size_t i = 0; i < q.designators.size(); ++i) {
      list.Set(static_cast<std::uint32_t>(i), designatorToJs(env, q.designators[i]));
    }
    o.Set("designators", list);
  }
  return o;
}

Napi::Object deviceInfoToJs(Napi::Env env, const scsi::DeviceInfo& d) {
  Napi::Object o = Napi::Object::New(env);
  if (d.hasIdlun) {
    Napi::Object idlun = Napi::Object::New(env);
    idlun.Set("host", Napi::Number::New(env, d.host));
    idlun.Set("channel", Napi::Number::New(env, d.channel));
    idlun.Set("target", Napi::Number::New(env, d.target));
    idlun.Set("lun", Napi::Number::New(env, static_cast<double>(d.lun)));
    o.Set("idlun", idlun);
  }
  if (d.hasSize) o.Set("sizeBytes", Napi::Number::New(env, static_cast<double>(d.sizeBytes)));
  if (d.hasLogicalBlockSize) o.Set("logicalBlockSize", Napi::Number::New(env, d.logicalBlockSize));
  if (d.hasPhysicalBlockSize) {
    o.Set("physicalBlockSize", Napi::Number::New(env, d.physicalBlockSize));
  }
  return o;
}

// ---------------------------------------------------------------------------
// Jobs: run() on the worker thread (no JavaScript), build() on the JS thread.

struct ListHostsJob {
  std::string sysfsRoot;
  std::vector<scsi::ScsiHost> hosts;
  bool run(SysError* e) { return scsi::listHosts(sysfsRoot, &hosts, e); }
  Napi::Value build(Napi::Env env) {
    Napi::Array out = Napi::Array::New(env, hosts.size());
    for (std::size_t i = 0; i < hosts.size(); ++i) {
      out.Set(static_cast<std::uint32_t>(i), hostToJs(env, hosts[i]));
    }
    return out;
  }
};

struct ListDevicesJob {
  std::string sysfsRoot;
  std::vector<scsi::ScsiDevice> devices;
  bool run(SysError* e) { return scsi::listDevices(sysfsRoot, &devices, e); }
  Napi::Value build(Napi::Env env) {
    Napi::Array out = Napi::Array::New(env, devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
      out.Set(static_cast<std::uint32_t>(i), deviceToJs(env, devices[i]));
    }
    return out;
  }
};

struct ResolveJob {
  std::string sysfsRoot;
  std::string path;
  scsi::ScsiDevice device;
  bool run(SysError* e) { return scsi::resolveDevicePath(sysfsRoot, path, &device, e); }
  Napi::Value build(Napi::Env env) { return deviceToJs(env, device); }
};

struct InquiryJob {
  std::string path;
  int page = -1;
  unsigned timeoutMs = scsi::kDefaultInquiryTimeoutMs;
  std::vector<std::uint8_t> raw;
  scsi::InquiryData decoded;
  bool run(SysError* e) {
    if (!scsi::inquiry(path, page, timeoutMs, &raw, e)) return false;
    decoded = scsi::decodeInquiry(raw.data(), raw.size(), page);
    return true;
  }
  Napi::Value build(Napi::Env env) { return inquiryToJs(env, raw, decoded); }
};

struct DeviceInfoJob {
  std::string path;
  scsi::DeviceInfo info;
  bool run(SysError* e) { return scsi::deviceInfo(path, &info, e); }
  Napi::Value build(Napi::Env env) { return deviceInfoToJs(env, info); }
};

struct ProbeJob {
  std::string path;
  bool busy = false;
  bool run(SysError* e) { return scsi::probeInUse(path, &busy, e); }
  Napi::Value build(Napi::Env env) { return Napi::Boolean::New(env, busy); }
};

// ---------------------------------------------------------------------------
// Entry points.

Napi::Value ListScsiHosts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ListHostsJob job;
  if (!readSysfsRoot(info, 0, "listScsiHosts", &job.sysfsRoot)) return env.Undefined();
  return queuePromise(env, "rtslib.listScsiHosts", std::move(job));
}

Napi::Value ListScsiDevices(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ListDevicesJob job;
  if (!readSysfsRoot(info, 0, "listScsiDevices", &job.sysfsRoot)) return env.Undefined();
  return queuePromise(env, "rtslib.listScsiDevices", std::move(job));
}

Napi::Value ResolveScsiDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ResolveJob job;
  if (!readDevicePath(info, "resolveScsiDevice", &job.path)) return env.Undefined();
  if (!readSysfsRoot(info, 1, "resolveScsiDevice", &job.sysfsRoot)) return env.Undefined();
  return queuePromise(env, "rtslib.resolveScsiDevice", std::move(job));
}

Napi::Value ScsiInquiry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  InquiryJob job;
  if (!readDevicePath(info, "scsiInquiry", &job.path)) return env.Undefined();
  Napi::Object options;
  bool present = false;
  if (!readOptions(info, 1, "scsiInquiry", &options, &present)) return env.Undefined();
  if (present) {
    std::int64_t value = 0;
    bool has = false;
    if (!js::optionalInteger(options, "vpdPage", "scsiInquiry: options.vpdPage", 0, 255, &value,
                             &has)) {
      return env.Undefined();
    }
    if (has) job.page = static_cast<int>(value);
    if (!js::optionalInteger(options, "timeoutMs", "scsiInquiry: options.timeoutMs", 1,
                             0xffffffffLL, &value, &has)) {
      return env.Undefined();
    }
    if (has) job.timeoutMs = static_cast<unsigned>(value);
  }
  return queuePromise(env, "rtslib.scsiInquiry", std::move(job));
}

Napi::Value ScsiDeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceInfoJob job;
  if (!readDevicePath(info, "scsiDeviceInfo", &job.path)) return env.Undefined();
  return queuePromise(env, "rtslib.scsiDeviceInfo", std::move(job));
}

Napi::Value ProbeInUse(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ProbeJob job;
  if (!readDevicePath(info, "probeInUse", &job.path)) return env.Undefined();
  return queuePromise(env, "rtslib.probeInUse", std::move(job));
}

}  // namespace

void InitScsiDiscovery(Napi::Env env, Napi::Object exports) {
  exports.Set("listScsiHosts", Napi::Function::New(env, ListScsiHosts, "listScsiHosts"));
  exports.Set("listScsiDevices", Napi::Function::New(env, ListScsiDevices, "listScsiDevices"));
  exports.Set("resolveScsiDevice",
              Napi::Function::New(env, ResolveScsiDevice, "resolveScsiDevice"));
  exports.Set("scsiInquiry", Napi::Function::New(env, ScsiInquiry, "scsiInquiry"));
  exports.Set("scsiDeviceInfo", Napi::Function::New(env, ScsiDeviceInfo, "scsiDeviceInfo"));
  exports.Set("probeInUse", Napi::Function::New(env, ProbeInUse, "probeInUse"));
}

}  // namespace rtslib
