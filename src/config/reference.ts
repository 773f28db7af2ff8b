// Builds the configuration reference (every key, default, example) from the schema, for the README and `benchprint config-reference`.
import { z } from 'zod';
import { configSchema, printerEntrySchema } from './schema.js';

type Node = { type?: string; properties?: Record<string, Node>; items?: Node; default?: unknown; description?: string; examples?: unknown[] };

export interface ReferenceRow {
  key: string;
  default: string;
  example: string;
  description: string;
}

export function configReference(): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const walk = (node: Node, path: string) => {
    if (node.properties && path !== 'printers') {
      for (const [key, child] of Object.entries(node.properties)) {
        const childPath = path ? `${path}.${key}` : key;
        if (child.properties && !child.description) walk(child, childPath);
        else {
          rows.push(row(childPath, child));
          if (child.properties) walk(child, childPath);
          if (child.items?.properties) walk(child.items, `${childPath}[]`);
        }
      }
    }
  };
  const row = (key: string, n: Node): ReferenceRow => ({
    key,
    default: n.default === undefined ? '' : JSON.stringify(n.default),
    example: n.examples?.[0] === undefined ? '' : JSON.stringify(n.examples[0]),
    description: n.description ?? '',
  });
  walk(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node, '');
  walk(z.toJSONSchema(printerEntrySchema, { io: 'input', unrepresentable: 'any' }) as Node, 'printers[]');
  return rows.filter((r) => r.key !== '$schema');
}

export function configReferenceMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| key | default | example | what it does |',
    '|---|---|---|---|',
    ...configReference().map((r) => `| \`${r.key}\` | ${r.default ? `\`${cell(r.default)}\`` : ''} | ${r.example ? `\`${cell(r.example)}\`` : ''} | ${cell(r.description)} |`),
  ].join('\n');
}

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

/** The README text with the table between its markers replaced by the current one. */
export function replaceConfigReference(readme: string): string {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`README has no ${START} ... ${END} markers`);
  return `${readme.slice(0, from + START.length)}\n${configReferenceMarkdown()}\n${readme.slice(to)}`;
}
