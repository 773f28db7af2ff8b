// Finds, reads and validates the config file once, applies environment overrides, and explains every problem.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { StationError } from '../errors.js';
import { configSchema, printerEntrySchema, type StationConfig } from './schema.js';
import { demoPrinters } from './demo.js';

/** Demo mode's admin PIN (for the label designer and queue actions), unless BENCHPRINT_ADMIN_PIN sets another. */
export const DEMO_ADMIN_PIN = '0000';

export type ConfigSource = 'file' | 'demo';

export interface LoadedConfig {
  config: StationConfig;
  source: ConfigSource;
  /** The file read, when there was one. */
  path?: string;
}

export class ConfigError extends StationError {
  readonly problems: string[];
  constructor(file: string, problems: string[]) {
    super('CONFIG_INVALID', `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      status: 500,
      hint: 'Fix the file and start again, or run `npm run check-config` to check it without starting.',
    });
    this.problems = problems;
  }
}

const DEFAULT_LOCATIONS = ['./benchprint.json', '/etc/benchprint/config.json'];

/**
 * Picks the config file: --config (or the file named alone), then BENCHPRINT_CONFIG, then the usual places; none
 * means demo mode. Anything else on the command line is refused: checking demo mode instead of a file whose name was
 * mistyped as an option would say "valid" of a file never read.
 */
export function locateConfig(argv: readonly string[], env: NodeJS.ProcessEnv, exists: (p: string) => boolean): string | undefined {
  const flag = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  const value = flag < 0 ? undefined : argv[flag]!.includes('=') ? argv[flag]!.slice(argv[flag]!.indexOf('=') + 1) : argv[flag + 1];
  if (flag >= 0 && !value) throw new ConfigError('the command line', ['--config needs a file path, e.g. --config /etc/benchprint/config.json']);
  const rest = argv.filter((_, i) => flag < 0 || (i !== flag && !(i === flag + 1 && !argv[flag]!.includes('='))));
  if (rest.length > (value ? 0 : 1) || rest.some((a) => a.startsWith('-'))) {
    throw new ConfigError('the command line', [`unexpected ${rest.length === 1 ? 'argument' : 'arguments'} ${rest.map((a) => `"${a}"`).join(' ')}; the only one is the config file, e.g. --config /etc/benchprint/config.json`]);
  }
  if (value ?? rest[0]) return resolve((value ?? rest[0])!);
  // An explicit location must exist: falling back to demo mode would hide a typo in production.
  if (env.BENCHPRINT_CONFIG) return resolve(env.BENCHPRINT_CONFIG);
  return DEFAULT_LOCATIONS.map((p) => resolve(p)).find(exists);
}

/** Reads and validates a config file, or builds demo mode when `path` is undefined. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv): LoadedConfig {
  if (path === undefined) {
    const raw: Record<string, unknown> = { goldleaf: { sandbox: true }, station: { shopName: 'Demo Hydraulics (benchprint demo)' }, auth: { adminPin: DEMO_ADMIN_PIN } };
    const config = validate('demo configuration', applyEnv(raw, env));
    config.printers = demoPrinters(config.station.dataDir);
    return { config, source: 'demo' };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code ?? String(err)})`;
    throw new ConfigError(path, [`the file ${why}. Create it (see the README's configuration section) or unset BENCHPRINT_CONFIG to run in demo mode.`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [jsonSyntaxProblem(text, err)]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(path, ['the file must hold one JSON object, e.g. { "station": { "name": "Bench 1" } }']);
  }
  return { config: validate(path, applyEnv(raw as Record<string, unknown>, env)), source: 'file', path };
}

/** Secrets and a few deployment settings come from the environment and win over the file. */
function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out = structuredClone(raw);
  const section = (key: string): Record<string, unknown> => {
    const current = out[key];
    if (typeof current === 'object' && current !== null && !Array.isArray(current)) return current as Record<string, unknown>;
    const fresh: Record<string, unknown> = {};
    if (current === undefined) out[key] = fresh;
    return current === undefined ? fresh : {}; // a wrong type stays in place for the schema to report
  };
  const set = (sectionKey: string, key: string, value: unknown) => {
    if (value !== undefined && value !== '') section(sectionKey)[key] = value;
  };
  set('goldleaf', 'apiKey', env.BENCHPRINT_GOLDLEAF_API_KEY);
  set('goldleaf', 'keyName', env.BENCHPRINT_GOLDLEAF_KEY_NAME);
  set('auth', 'adminPin', env.BENCHPRINT_ADMIN_PIN);
  set('station', 'dataDir', env.BENCHPRINT_DATA_DIR);
  set('log', 'level', env.BENCHPRINT_LOG_LEVEL);
  set('server', 'host', env.BENCHPRINT_HOST);
  if (env.BENCHPRINT_PORT) set('server', 'port', /^\d+$/.test(env.BENCHPRINT_PORT) ? Number(env.BENCHPRINT_PORT) : env.BENCHPRINT_PORT);
  // The shop ledger's URL holds a password: from the environment, into a shop section the file has.
  if (isRecord(out.shop)) set('shop', 'databaseUrl', env.BENCHPRINT_SHOP_DATABASE_URL);
  const tokens = (out.auth as Record<string, unknown> | undefined)?.tokens;
  if (Array.isArray(tokens)) {
    for (const t of tokens) {
      if (typeof t !== 'object' || t === null || typeof (t as { name?: unknown }).name !== 'string') continue;
      const secret = env[`BENCHPRINT_TOKEN_${(t as { name: string }).name.toUpperCase().replace(/-/g, '_')}`];
      if (secret) (t as Record<string, unknown>).token = secret;
    }
  }
  return out;
}

function validate(file: string, raw: Record<string, unknown>): StationConfig {
  const problems: string[] = [];
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => describeIssue(i, configExamples)));
  // Printer entries are not checked here: one with a problem stops nothing else. The station builds each on its own
  // and shows a bad one as not usable, saying why (check-config lists them).
  // Checked on the raw values too, so a file with other mistakes still hears about missing secrets.
  const goldleaf = (isRecord(raw.goldleaf) ? raw.goldleaf : {}) as Record<string, unknown>;
  if (goldleaf.sandbox !== true && !goldleaf.apiKey)
    problems.push('goldleaf.apiKey: missing. Set the environment variable BENCHPRINT_GOLDLEAF_API_KEY (or set goldleaf.sandbox to true for demo data).');
  if (goldleaf.sandbox !== true && !goldleaf.keyName)
    problems.push('goldleaf.keyName: missing. Set BENCHPRINT_GOLDLEAF_KEY_NAME to the key name entered in GoldLeaf, e.g. "bench-station".');
  if (isRecord(raw.shop) && !raw.shop.databaseUrl)
    problems.push('shop.databaseUrl: missing. Set BENCHPRINT_SHOP_DATABASE_URL to the shop ledger, e.g. postgres://benchprint:<password>@office-server:5432/benchprint.');
  if (parsed.success) {
    parsed.data.auth.tokens.forEach((t, i) => {
      if (!t.token)
        problems.push(`auth.tokens[${i}].token: missing for "${t.name}". Set BENCHPRINT_TOKEN_${t.name.toUpperCase().replace(/-/g, '_')} to at least 24 random characters.`);
    });
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return parsed.data!;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type JsonSchemaNode = { properties?: Record<string, JsonSchemaNode>; items?: JsonSchemaNode; examples?: unknown[]; description?: string };
const configExamples = (() => {
  const root = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const printers = root.properties?.printers;
  if (printers) printers.items = z.toJSONSchema(printerEntrySchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  return root;
})();

function schemaAt(root: JsonSchemaNode, path: readonly PropertyKey[]): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = root;
  for (const key of path) {
    if (!node) return undefined;
    node = typeof key === 'number' ? node.items : node.properties?.[String(key)];
  }
  return node;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue, root: JsonSchemaNode): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(schemaAt(root, issue.path)?.properties ?? {});
    return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}. Known keys here: ${known.join(', ')}.`;
  }
  const example = schemaAt(root, issue.path)?.examples?.[0];
  const suffix = example === undefined ? '' : ` A valid value looks like: ${JSON.stringify(example)}.`;
  return `${where}: ${issue.message}.${suffix}`;
}

function jsonSyntaxProblem(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const match = /position (\d+)/.exec(message);
  if (!match) return `not valid JSON: ${message}`;
  const pos = Number(match[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*/, '')}. Check for a missing comma, a trailing comma or an unquoted key there.`;
}
