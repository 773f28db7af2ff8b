// A folder on a network share whose server can go away (hung-share.py, a FUSE file system): while it hangs, every file
// operation that reaches it waits in the kernel, as on a hard-mounted NFS share, until it is released.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HungShare {
  /** The mounted folder. */
  dir: string;
  /** The server goes away: operations reaching the share wait. */
  hang(): void;
  /** It comes back: the waiting operations go on. */
  release(): void;
  /** Operations waiting at the share now, and the most that waited at once. */
  held(): { held: number; most: number };
  close(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./hung-share.py', import.meta.url));
// Debian's Python, which has python3-fusepy (another python3 may come first on the PATH).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const mounted = (dir: string) => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === dir);

export async function startHungShare(base: string): Promise<HungShare> {
  const dir = join(base, 'share');
  const flag = join(base, 'server-away');
  mkdirSync(dir, { recursive: true });
  let stderr = '';
  const proc: ChildProcess = spawn(PYTHON, [SCRIPT, dir, flag], { stdio: ['ignore', 'ignore', 'pipe'] });
  proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; !mounted(dir); i++) {
    if (proc.exitCode !== null || i > 100) {
      proc.kill('SIGKILL');
      throw new Error(`the FUSE share did not mount at ${dir} (needs root, /dev/fuse and Debian's fuse3 and python3-fusepy): ${stderr.trim() || `exit ${proc.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const release = () => rmSync(flag, { force: true });
  return {
    dir,
    hang: () => writeFileSync(flag, ''),
    release,
    held: () => JSON.parse(readFileSync(`${flag}.json`, 'utf8')) as { held: number; most: number },
    async close() {
      release(); // first: nothing stays blocked on the mount
      const exited = new Promise((r) => proc.once('exit', r));
      spawnSync('umount', ['-l', dir]);
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
  };
}
