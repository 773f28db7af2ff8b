// One station per data folder: a second one on the same queue would print jobs twice.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError } from '../errors.js';

export function acquireInstanceLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'benchprint.pid');
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StationError('DATA_DIR_UNAVAILABLE', `The data folder ${dataDir} cannot be written (${(err as NodeJS.ErrnoException).code}).`, {
          hint: 'Create it and give the station user write access, or set station.dataDir / BENCHPRINT_DATA_DIR.',
        });
      }
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new StationError('ALREADY_RUNNING', `Another benchprint (pid ${pid}) is using ${dataDir}.`, {
          hint: 'Stop it first (systemctl stop benchprint), or give this one its own data folder.',
        });
      }
      rmSync(file, { force: true }); // left behind by a station that crashed
    }
  }
  throw new StationError('ALREADY_RUNNING', `Could not take the lock ${file}.`, { hint: 'Remove the file if no benchprint is running.' });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
