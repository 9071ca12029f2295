// Checks the prebuilt addons before they are packed: each of
// prebuilds/linux-{x64,arm64}/rtslib.glibc.node exists, is a shared object
// for its machine (ELF e_machine), and needs nothing of Node but Node-API:
// its undefined dynamic symbols are napi_* / node_api_* or come from the C
// and C++ runtime (checked with the architecture's `nm` where it is installed).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const MACHINES = { x64: { machine: 62, nm: 'nm' }, arm64: { machine: 183, nm: 'aarch64-linux-gnu-nm' } };
// what a C++17 addon may take from libc, libstdc++, libgcc and the loader
const RUNTIME = /^(_Z|__cxa_|__gxx_|_Unwind_|__gcc_|__stack_chk|__libc_|__errno_location|__getauxval|__gmon_start__|_ITM_|__assert_fail|__tls_get_addr|[a-z][a-z0-9_]*$)/;
let failed = false;

for (const [arch, { machine, nm }] of Object.entries(MACHINES)) {
  const file = `prebuilds/linux-${arch}/rtslib.glibc.node`;
  let head;
  try {
    head = readFileSync(file).subarray(0, 20);
  } catch {
    console.error(`check-prebuilds: ${file} is missing`);
    failed = true;
    continue;
  }
  const elf = head.readUInt32BE(0) === 0x7f454c46;
  const type = head.readUInt16LE(16); // ET_DYN
  const found = head.readUInt16LE(18);
  if (!elf || type !== 3 || found !== machine) {
    console.error(`check-prebuilds: ${file}: not a ${arch} shared object (ELF ${elf}, type ${type}, machine ${found})`);
    failed = true;
    continue;
  }
  const r = spawnSync(nm, ['-D', '--undefined-only', file], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    console.log(`check-prebuilds: ${file}: ${arch} shared object (${nm} not available: symbols not checked)`);
    continue;
  }
  const symbols = r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/).at(-1)?.replace(/@.*/, ''))
    .filter(Boolean);
  const napi = symbols.filter((s) => /^(napi_|node_api_)/.test(s));
  const foreign = symbols.filter((s) => !/^(napi_|node_api_)/.test(s) && !RUNTIME.test(s));
  // anything of Node's own (uv_*, v8::, node::) would tie it to one Node build
  const nodeInternals = symbols.filter((s) => /^(uv_|_ZN2v8|_ZN4node)/.test(s));
  if (foreign.length || nodeInternals.length || napi.length === 0) {
    console.error(`check-prebuilds: ${file}: needs symbols outside Node-API and the C/C++ runtime: ${[...foreign, ...nodeInternals].join(' ') || '(no napi_* at all)'}`);
    failed = true;
    continue;
  }
  console.log(`check-prebuilds: ${file}: ${arch} shared object, ${napi.length} Node-API symbols, nothing else of Node`);
}
process.exit(failed ? 1 : 0);
