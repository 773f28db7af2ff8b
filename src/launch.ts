// How the station's node is started, in one place. `npm start`, the systemd unit (deploy/benchprint.service), the
// benchmarks and the tests that run the station as a process all start it so; a test holds package.json and the unit
// to these flags.
//
// V8's young generation of the main thread is held to 2 MB semi-spaces. V8 grows it to 16 MB while the station starts
// (all that start-up makes survives) and keeps it until allocation has been quiet for a while: 15-20 MB of the idle
// figure and 25-30 MB of the peak of the first long jobs (measured 12-05 with bench/station.ts, see the README's "Ways
// to the 150 MB targets"). Only the command line sets it: `v8.setFlagsFromString` at start leaves a heap already made
// as it is. Its cost, more frequent scavenges, is drawing ZPL at ~80,000 tags a second in one process instead of
// ~100,000-150,000, where a printer takes a few a second.

/** Flags on node's command line, before the entry script. */
export const STATION_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

/** The flags this process was started without (for a line in the log); empty when it has them all. */
export function missingLaunchSettings(execArgv: readonly string[] = process.execArgv): string[] {
  return STATION_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
