// Loads a heavy package the first time it is used, not at start: the station is ready sooner and smaller when idle.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}
