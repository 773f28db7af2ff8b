// How a benchmark starts the station as a process: with node's flags as `npm start` and the systemd unit give them
// (src/launch.ts), unless BENCH_LAUNCH=plain (node's own defaults, to measure what the flags change). BENCH_NODE_ARGS
// adds flags for the station (e.g. --cpu-prof).
import { STATION_NODE_FLAGS } from '../src/launch.js';

const plain = process.env.BENCH_LAUNCH === 'plain';
const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

export const launch: { flags: readonly string[]; harnessFlags: readonly string[]; words: string } = {
  flags: [...(plain ? [] : STATION_NODE_FLAGS), ...extra],
  /** For a benchmark script itself (bench/run.ts): the station's code it measures in its own process runs as shipped. */
  harnessFlags: plain ? [] : STATION_NODE_FLAGS,
  words: plain ? "with node's defaults (BENCH_LAUNCH=plain)" : `as npm start: node ${STATION_NODE_FLAGS.join(' ')}`,
};
