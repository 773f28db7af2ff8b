// Printers set up at the bench, kept in the station's store on top of the config file's starting set: added here,
// changed here, disabled or removed. What the station runs is the config's printers with these changes applied.
import type { Statement } from 'better-sqlite3';
import { PRINTER_ID } from '../config/schema.js';
import { preparedStatements, type Store } from '../store/store.js';

/** Where a printer's settings come from: the config file as it is, the config file changed here, or added here. */
export type PrinterSource = 'config' | 'config, changed here' | 'added here';

export interface PrinterSetupEntry {
  /** The entry as written (config file or store), checked when the registry builds it. */
  raw: unknown;
  /** Its own id, or for an entry without a usable one (missing, malformed, taken) "printer-N" after its place. */
  id: string;
  /** What is wrong with the entry's place among the others (its id taken by an earlier one): it is not usable. */
  problem?: string;
  source: PrinterSource;
  disabled?: { reason: string; by: string; at: string };
  changed?: { by: string; at: string };
}

interface Row {
  id: string;
  entry: string | null;
  disabled: number;
  disabled_reason: string | null;
  removed: number;
  updated_at: string;
  updated_by: string;
}

export class PrinterSetupStore {
  private readonly sql: (text: string) => Statement;

  constructor(store: Store) {
    this.sql = preparedStatements(store);
  }

  private rows(): Row[] {
    return this.sql('SELECT * FROM printer_setup ORDER BY id').all() as Row[];
  }

  private row(id: string): Row | undefined {
    return this.sql('SELECT * FROM printer_setup WHERE id = ?').get(id) as Row | undefined;
  }

  /** The printers the station runs: the config file's, in its order, then those added here, each with its changes. */
  effective(config: readonly unknown[]): PrinterSetupEntry[] {
    const rows = new Map(this.rows().map((r) => [r.id, r]));
    const out: PrinterSetupEntry[] = [];
    const seen = new Set<string>();
    const shape = (id: string, raw: unknown, source: PrinterSource, row: Row | undefined): PrinterSetupEntry => ({
      raw,
      id,
      source,
      ...(row?.disabled ? { disabled: { reason: row.disabled_reason ?? 'disabled', by: row.updated_by, at: row.updated_at } } : {}),
      ...(row?.entry ? { changed: { by: row.updated_by, at: row.updated_at } } : {}),
    });
    for (const { raw, id, problem } of configEntries(config)) {
      seen.add(id);
      const row = rows.get(id);
      if (row?.removed) continue;
      out.push({ ...shape(id, row?.entry ? JSON.parse(row.entry) : raw, row?.entry ? 'config, changed here' : 'config', row), ...(problem ? { problem } : {}) });
    }
    for (const row of rows.values()) {
      if (seen.has(row.id) || row.removed || !row.entry) continue;
      out.push(shape(row.id, JSON.parse(row.entry), 'added here', row));
    }
    return out;
  }

  /** Stores a printer's entry (new, or a change); it is enabled or disabled as it was. */
  save(id: string, entry: unknown, by: string): void {
    const at = new Date().toISOString();
    this.sql(
      `INSERT INTO printer_setup (id, entry, disabled, removed, updated_at, updated_by) VALUES (?, ?, 0, 0, ?, ?)
       ON CONFLICT (id) DO UPDATE SET entry = excluded.entry, removed = 0, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(id, JSON.stringify(entry), at, by);
  }

  setDisabled(id: string, disabled: boolean, reason: string | undefined, by: string): void {
    const at = new Date().toISOString();
    if (!this.row(id)) this.sql('INSERT INTO printer_setup (id, entry, disabled, removed, updated_at, updated_by) VALUES (?, NULL, 0, 0, ?, ?)').run(id, at, by);
    this.sql('UPDATE printer_setup SET disabled = ?, disabled_reason = ?, updated_at = ?, updated_by = ? WHERE id = ?').run(disabled ? 1 : 0, disabled ? (reason ?? null) : null, at, by, id);
  }

  /** Takes a printer out: one added here is forgotten; one from the config file stays out until added again. */
  remove(id: string, fromConfig: boolean, by: string): void {
    const at = new Date().toISOString();
    if (!fromConfig) {
      this.sql('DELETE FROM printer_setup WHERE id = ?').run(id);
      return;
    }
    this.sql(
      `INSERT INTO printer_setup (id, entry, disabled, removed, updated_at, updated_by) VALUES (?, NULL, 0, 1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET entry = NULL, disabled = 0, disabled_reason = NULL, removed = 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ).run(id, at, by);
  }
}

/**
 * The config file's printer entries, each with the id the station knows it by. One without a usable id (missing or
 * malformed: its checks say so) or with one an earlier entry has ("tags" twice) is not usable, but stops nothing else:
 * it is known as "printer-N" after its place in the file, saying why.
 */
export function configEntries(config: readonly unknown[]): Array<{ raw: unknown; id: string; problem?: string }> {
  const written = config.map((raw) => (raw as { id?: unknown } | null)?.id);
  const taken = new Set(written.filter((id): id is string => typeof id === 'string' && PRINTER_ID.test(id)));
  const first = new Map<string, number>();
  return config.map((raw, i) => {
    const id = written[i];
    if (typeof id === 'string' && PRINTER_ID.test(id) && !first.has(id)) {
      first.set(id, i);
      return { raw, id };
    }
    let stand = `printer-${i + 1}`;
    for (let n = 2; taken.has(stand); n++) stand = `printer-${i + 1}-${n}`;
    taken.add(stand);
    const problem =
      typeof id === 'string' && first.has(id)
        ? `printers[${i}] in the config file has the id "${id}" of printers[${first.get(id)}]; each printer needs its own id`
        : `printers[${i}] in the config file has no usable id`;
    return { raw, id: stand, problem };
  });
}
