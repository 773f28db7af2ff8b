// What the HTTP benchmarks share: loopback Zebra printers in their own process that note when each job's first label
// arrives, the built station as a process, and light HTTP clients that time a label from request to printer.
import { fork, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { launch } from './launch.js';

export const TOKEN = 'bench-client-token-0123456789abcdef';
export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
export const pause = (ms: number): Promise<unknown> => new Promise((r) => setTimeout(r, ms));

/** Someone waiting for a tagged job to reach a printer, and when each job's first label did (monotonic ms). */
const arrivals = new Map<string, () => void>();
const firstLabel = new Map<string, number>();

/** The loopback printers, in their own process (bench/loopback-printers.ts). */
export async function loopbackPrinters(count: number): Promise<{ uris: string[]; close(): void; pid: number }> {
  const child = fork(new URL('./loopback-printers.ts', import.meta.url).pathname, [String(count)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.on('message', (m: { ports?: number[]; tag?: string; at?: number }) => {
      if (m.ports) resolve(m.ports);
      else if (m.tag) {
        firstLabel.set(m.tag, m.at!);
        arrivals.get(m.tag)?.();
      }
    });
    child.once('exit', (code) => reject(new Error(`the loopback printers exited (${code})`)));
  });
  return { uris: ports.map((p) => `tcp://127.0.0.1:${p}`), close: () => child.disconnect(), pid: child.pid! };
}

/** The built station in its own process, as on a bench PC, started as bench/launch.ts says. */
export async function stationProcess(dir: string, name: string, config: Record<string, unknown>): Promise<{ url: URL; stop(): Promise<void>; cpuMs(): number }> {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      server: { host: '127.0.0.1', port: 0 },
      goldleaf: { sandbox: true },
      // The clients are programs on the LAN: a token, as an ERP would have.
      auth: { tokens: [{ name: 'bench', token: TOKEN, scopes: ['read', 'print'] }], rateLimitPerMinute: 100_000 },
      ...config,
    }),
  );
  const child = spawn(process.execPath, [...launch.flags, new URL('../dist/src/index.js', import.meta.url).pathname], { env: { ...process.env, BENCHPRINT_CONFIG: file }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    const find = (c: Buffer) => {
      out += c.toString();
      const m = /"kiosk":\["(http:\/\/[^"]+)\/kiosk"/.exec(out);
      if (!m) return;
      // From here on only drain the log: a full pipe would block the station's logging.
      child.stdout!.off('data', find);
      child.stdout!.on('data', () => undefined);
      resolve(new URL(m[1]!));
    };
    child.stdout!.on('data', find);
    child.on('exit', (code) => reject(new Error(`station exited (${code}); run npm run build first`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { url, stop, cpuMs: () => processCpuMs(child.pid!) };
}

/**
 * CPU time a process has used so far (user and system, all its threads), in ms, from Linux's /proc/<pid>/stat (in
 * clock ticks, 100 a second). Per label over many labels it is steadier than any latency on a shared machine: it does
 * not count the time the station waited for a core.
 */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command's name (which may hold spaces), from the 3rd: utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

// A light client (node:http, kept-alive connections, like wrk): the load generator shares the machine's two cores
// with the station, and fetch spent as much CPU per request as the station did.
const agent = new Agent({ keepAlive: true, maxSockets: 200 });

export function closeClients(): void {
  agent.destroy();
}

function post(url: URL, body: unknown): Promise<number> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: '/api/v1/jobs', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${TOKEN}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

let nextTag = 1_000_000;
/**
 * One label for a client on one of `printers` printers, timed from request to its first label at the printer; with
 * `byPrinter`, the time is also kept under the printer it went to.
 */
export async function askForLabel(url: URL, client: number, printers: number, latencies: number[], answers: number[], byPrinter?: number[][]): Promise<void> {
  const n = String(nextTag++);
  const printer = (client + Number(n)) % printers;
  const arrived = new Promise<void>((resolve) => arrivals.set(n, resolve));
  const t = now();
  const status = await post(url, { kind: 'template', printer: `p${printer}`, template: 'work-order-label', labels: [{ workOrder: { number: `JOB${n}` } }] });
  answers.push(now() - t);
  if (status !== 201) throw new Error(`job request answered ${status}`);
  await arrived;
  latencies.push(firstLabel.get(n)! - t);
  byPrinter?.[printer]?.push(firstLabel.get(n)! - t);
  arrivals.delete(n);
  firstLabel.delete(n);
}

/** Runs `each` for every one of `count` clients at once. */
export const clients = <T>(count: number, each: (c: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: count }, (_, c) => each(c)));
