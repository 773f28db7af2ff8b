// Reads every *.json file of a folder and validates it with a schema; each bad file becomes a problem, not a crash.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { formatPath } from '../config/load.js';

export interface FileProblem {
  file: string;
  problem: string;
}

export function loadJsonFiles<S extends z.ZodType>(dir: string, schema: S): { items: Array<{ file: string; def: z.infer<S> }>; problems: FileProblem[] } {
  const items: Array<{ file: string; def: z.infer<S> }> = [];
  const problems: FileProblem[] = [];
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    return { items, problems: [{ file: dir, problem: `the folder cannot be read (${(err as NodeJS.ErrnoException).code})` }] };
  }
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push({ file, problem: `not valid JSON: ${(err as Error).message}` });
      continue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) problems.push({ file, problem: parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ') });
    else items.push({ file, def: parsed.data });
  }
  return { items, problems };
}
