// Starts one of the station's own worker threads: the built .js beside the caller, or, when the station runs from
// its TypeScript sources (tsx, vitest), the .ts compiled by tsx inside the thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `name` without extension, relative to `base` (the caller's import.meta.url). */
export function startWorker(base: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return new Worker(js, options);
  const ts = new URL(`./${name}.ts`, base).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ts)}); });`, { ...options, eval: true });
}
