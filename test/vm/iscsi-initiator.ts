/**
 * The real open-iscsi initiator, driven inside the guest (kernel tests and the
 * demo): starts iscsid with an initiator name of our choosing, logs in to a
 * target on the loopback network (optionally with CHAP), finds the disk the
 * session brought and logs out again. The guest's /etc/iscsi is a private
 * tmpfs copy (guest-stage2.sh), so nothing here touches the host's files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** The initiator name the guest's iscsid uses. */
export const GUEST_INITIATOR = 'iqn.2026-11.org.rtslib.vm:initiator';

function run(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts iscsid (once per guest) with {@link GUEST_INITIATOR}; returns the initiator name. */
export async function startInitiator(): Promise<string> {
  if (!existsSync('/run/private/etc/iscsi')) {
    throw new Error('the guest has no private /etc/iscsi: run inside the VM (guest-stage2.sh)');
  }
  if (spawnSync('pidof', ['iscsid']).status === 0) return GUEST_INITIATOR;
  writeFileSync('/etc/iscsi/initiatorname.iscsi', `InitiatorName=${GUEST_INITIATOR}\n`);
  run('modprobe', ['iscsi_tcp']);
  const daemon = spawn('iscsid', ['-f'], { stdio: 'ignore', detached: true });
  daemon.unref();
  for (let i = 0; i < 50; i++) {
    if (spawnSync('iscsiadm', ['-m', 'session'], { encoding: 'utf8' }).stderr.match(/No active sessions/)) return GUEST_INITIATOR;
    await sleep(100);
  }
  throw new Error('iscsid did not start');
}

/** CHAP credentials for a login. */
export interface LoginChap {
  userid: string;
  password: string;
}

/** Discovers and logs in to `iqn` at 127.0.0.1:`port`; returns the disk node of LUN 0 (e.g. `/dev/sdb`). */
export async function login(iqn: string, options: { port?: number; chap?: LoginChap } = {}): Promise<string> {
  const portal = `127.0.0.1:${options.port ?? 3260}`;
  run('iscsiadm', ['-m', 'discovery', '-t', 'sendtargets', '-p', portal]);
  const node = ['-m', 'node', '-T', iqn, '-p', portal];
  if (options.chap) {
    run('iscsiadm', [...node, '-o', 'update', '-n', 'node.session.auth.authmethod', '-v', 'CHAP']);
    run('iscsiadm', [...node, '-o', 'update', '-n', 'node.session.auth.username', '-v', options.chap.userid]);
    run('iscsiadm', [...node, '-o', 'update', '-n', 'node.session.auth.password', '-v', options.chap.password]);
  }
  run('iscsiadm', [...node, '--login']);
  for (let i = 0; i < 100; i++) {
    const disk = sessionDisk(iqn);
    if (disk) return disk;
    await sleep(100);
  }
  throw new Error(`no disk appeared for the session to ${iqn}`);
}

/** Logs out of `iqn` and forgets its node record. */
export function logout(iqn: string): void {
  run('iscsiadm', ['-m', 'node', '-T', iqn, '--logout']);
  run('iscsiadm', ['-m', 'node', '-T', iqn, '-o', 'delete']);
}

/** The block device of LUN 0 of the session to `iqn`, from sysfs; null when there is none yet. */
export function sessionDisk(iqn: string): string | null {
  const base = '/sys/class/iscsi_session';
  if (!existsSync(base)) return null;
  for (const session of readdirSync(base)) {
    if (readFileSync(`${base}/${session}/targetname`, 'utf8').trim() !== iqn) continue;
    const device = `${base}/${session}/device`;
    for (const target of readdirSync(device).filter((d) => d.startsWith('target'))) {
      for (const unit of readdirSync(`${device}/${target}`).filter((d) => /^\d+:\d+:\d+:0$/.test(d))) {
        const blocks = `${device}/${target}/${unit}/block`;
        if (existsSync(blocks)) {
          const [disk] = readdirSync(blocks);
          if (disk) return `/dev/${disk}`;
        }
      }
    }
  }
  return null;
}
