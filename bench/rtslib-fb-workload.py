#!/usr/bin/python3
"""rtslib-fb side of the W(N, A) benchmark (bench/workload.guest.ts runs it in the guest).

  rtslib-fb-workload.py create N A DIR   build W(N, A) with rtslib-fb's object API
  rtslib-fb-workload.py dump             RTSRoot().dump()
  rtslib-fb-workload.py save FILE        RTSRoot().save_to_file(FILE)
  rtslib-fb-workload.py clear            RTSRoot().clear_existing(confirm=True)
  rtslib-fb-workload.py restore FILE     RTSRoot().restore_from_file(FILE)

Prints one JSON line: {"op", "ms", "importMs", ...}. "ms" is the phase alone,
measured in this process after the imports (rtslib-fb's own RTSRoot() set-up
included); "importMs" is the interpreter-side import of rtslib_fb.
W(N, A) here names its objects as bench/workload-config.ts does.
"""
import json
import sys
import time

t_import = time.monotonic()
from rtslib_fb import (  # noqa: E402
    FabricModule, FileIOStorageObject, LUN, MappedLUN, NodeACL, RTSRoot, Target, TPG,
)
import_ms = (time.monotonic() - t_import) * 1000

TARGET_WWN = "iqn.2003-01.org.rtslib.bench:w"
FILE_SIZE = 1024 * 1024 * 1024


def create(n, a, directory):
    RTSRoot()
    sos = [FileIOStorageObject("so%d" % i, "%s/so%d.img" % (directory, i), FILE_SIZE, write_back=False) for i in range(n)]
    target = Target(FabricModule("iscsi"), TARGET_WWN)
    tpg = TPG(target, 1)
    luns = [LUN(tpg, i, sos[i]) for i in range(n)]
    for j in range(a):
        acl = NodeACL(tpg, "iqn.1994-05.com.redhat:client%d" % j)
        for i in range(n):
            MappedLUN(acl, i, luns[i])
    return {}


def dump():
    d = RTSRoot().dump()
    return {"storageObjects": len(d.get("storage_objects", [])), "targets": len(d.get("targets", []))}


def save(path):
    RTSRoot().save_to_file(path)
    return {}


def clear():
    RTSRoot().clear_existing(confirm=True)
    return {}


def restore(path):
    errors = RTSRoot().restore_from_file(path)
    return {"errors": [str(e) for e in (errors or [])]}


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    op, args = argv[1], argv[2:]
    t0 = time.monotonic()
    if op == "create" and len(args) == 3:
        extra = create(int(args[0]), int(args[1]), args[2])
    elif op == "dump" and not args:
        extra = dump()
    elif op == "save" and len(args) == 1:
        extra = save(args[0])
    elif op == "clear" and not args:
        extra = clear()
    elif op == "restore" and len(args) == 1:
        extra = restore(args[0])
    else:
        sys.stderr.write(__doc__)
        return 2
    ms = (time.monotonic() - t0) * 1000
    out = {"op": op, "ms": round(ms, 3), "importMs": round(import_ms, 3)}
    out.update(extra)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
