// The local copy of GoldLeaf: resolved work orders, raw objects and sync state, so the bench works offline.
import type { Store } from '../store/store.js';
import type { CachedWorkOrder, WorkOrderView } from '../domain/work-order.js';

export interface WorkOrderSummary {
  id: string;
  number: string;
  status: string;
  released: boolean;
  customer?: string;
  dueDate?: string;
  lines: number;
  /** Lines with a hose assembly or a kit: those that get tags. */
  taggableLines: number;
  syncedAt: string;
  /** Why the newest copy could not be had from GoldLeaf, when it could not. */
  stale?: string;
}

export interface SyncStateRow {
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
}

interface WorkOrderRow {
  id: string;
  number: string;
  status: string;
  released: number;
  customer: string | null;
  due_date: string | null;
  view: string;
  first_released_at: string | null;
  left_released_at: string | null;
  synced_at: string;
  stale_reason: string | null;
  stale_since: string | null;
}

/** What the list reads of a work order: its columns, not its view. */
type ListedRow = Pick<WorkOrderRow, 'id' | 'number' | 'status' | 'released' | 'customer' | 'due_date' | 'synced_at' | 'stale_reason'> & { line_count: number; taggable_count: number };

export class WorkOrderCache {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  /** Saves a resolved work order; says whether it was already known as released. */
  upsert(view: WorkOrderView, at: string): { wasReleased: boolean } {
    const before = this.db.prepare('SELECT released FROM work_orders WHERE id = ?').get(view.id) as { released: number } | undefined;
    this.db
      .prepare(
        `INSERT INTO work_orders (id, number, status, released, customer, due_date, view, line_count, taggable_count, first_released_at, left_released_at, synced_at)
         VALUES (@id, @number, @status, @released, @customer, @due, @view, @lines, @taggable, @first, NULL, @at)
         ON CONFLICT (id) DO UPDATE SET number = excluded.number, status = excluded.status, released = excluded.released,
           customer = excluded.customer, due_date = excluded.due_date, view = excluded.view, synced_at = excluded.synced_at,
           line_count = excluded.line_count, taggable_count = excluded.taggable_count,
           first_released_at = COALESCE(work_orders.first_released_at, excluded.first_released_at),
           left_released_at = CASE WHEN excluded.released = 1 THEN NULL ELSE work_orders.left_released_at END,
           stale_reason = NULL, stale_since = NULL`,
      )
      .run({
        id: view.id,
        number: view.number,
        status: view.status,
        released: view.released ? 1 : 0,
        customer: view.customer?.name ?? null,
        due: view.dueDate ?? null,
        view: JSON.stringify(view),
        lines: view.lines.length,
        taggable: view.lines.filter((l) => l.assembly || l.kit).length,
        first: view.released ? at : null,
        at,
      });
    return { wasReleased: before?.released === 1 };
  }

  /** Work orders known as released whose ids are not in `stillReleased`; they are marked as having left. */
  markLeft(stillReleased: ReadonlySet<string>, at: string): Array<{ id: string; number: string }> {
    const rows = this.db.prepare('SELECT id, number FROM work_orders WHERE released = 1').all() as Array<{ id: string; number: string }>;
    const left = rows.filter((r) => !stillReleased.has(r.id));
    const mark = this.db.prepare('UPDATE work_orders SET released = 0, left_released_at = ? WHERE id = ?');
    this.db.transaction(() => left.forEach((r) => mark.run(at, r.id)))();
    return left;
  }

  /** Whether a copy of this work order is cached. */
  has(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM work_orders WHERE id = ?').get(id) !== undefined;
  }

  /** GoldLeaf's copy could not be read: the cached one stays, marked with why (and since when it first failed). */
  markStale(id: string, reason: string, at: string): void {
    this.db.prepare('UPDATE work_orders SET stale_reason = ?, stale_since = COALESCE(stale_since, ?) WHERE id = ?').run(reason, at, id);
  }

  /** The id of a cached work order by its number (for a list row too broken to give its id). */
  idOf(number: string): string | undefined {
    return (this.db.prepare('SELECT id FROM work_orders WHERE number = ? COLLATE NOCASE').get(number) as { id: string } | undefined)?.id;
  }

  hasLastModified(id: string, lastModified: string): boolean {
    const row = this.db.prepare("SELECT json_extract(body, '$.lastModified') AS lm FROM gl_objects WHERE kind = 'workorder' AND id = ?").get(id) as { lm: string | null } | undefined;
    return row?.lm === lastModified;
  }

  isReleased(id: string): boolean {
    return (this.db.prepare('SELECT released FROM work_orders WHERE id = ?').get(id) as { released: number } | undefined)?.released === 1;
  }

  /** Released work orders, soonest due first; optionally with those that left released state (kept printable by config). */
  list(options: { includeLeft?: boolean; search?: string; limit?: number } = {}): WorkOrderSummary[] {
    const search = options.search?.trim();
    const rows = this.db
      .prepare(
        `SELECT id, number, status, released, customer, due_date, line_count, taggable_count, synced_at, stale_reason FROM work_orders
         WHERE (released = 1 OR @includeLeft = 1)
           AND (@search IS NULL OR number LIKE @like ESCAPE '\\' OR customer LIKE @like ESCAPE '\\')
         ORDER BY due_date IS NULL, due_date, number
         LIMIT @limit`,
      )
      .all({ includeLeft: options.includeLeft ? 1 : 0, search: search || null, like: `%${(search ?? '').replace(/[\\%_]/g, (m) => `\\${m}`)}%`, limit: options.limit ?? 500 }) as ListedRow[];
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      status: r.status,
      released: r.released === 1,
      ...(r.customer ? { customer: r.customer } : {}),
      ...(r.due_date ? { dueDate: r.due_date } : {}),
      lines: r.line_count,
      taggableLines: r.taggable_count,
      syncedAt: r.synced_at,
      ...(r.stale_reason ? { stale: r.stale_reason } : {}),
    }));
  }

  /** One work order by id or number (numbers compared without case). */
  get(idOrNumber: string): CachedWorkOrder | undefined {
    const row = this.db
      .prepare('SELECT * FROM work_orders WHERE id = ? OR number = ? COLLATE NOCASE ORDER BY released DESC, synced_at DESC LIMIT 1')
      .get(idOrNumber, idOrNumber) as WorkOrderRow | undefined;
    if (!row) return undefined;
    const view = JSON.parse(row.view) as WorkOrderView;
    return {
      ...view,
      released: row.released === 1,
      syncedAt: row.synced_at,
      ...(row.first_released_at ? { firstReleasedAt: row.first_released_at } : {}),
      ...(row.left_released_at ? { leftReleasedAt: row.left_released_at } : {}),
      ...(row.stale_reason ? { stale: { since: row.stale_since ?? row.synced_at, reason: row.stale_reason } } : {}),
    };
  }

  countReleased(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM work_orders WHERE released = 1').get() as { n: number }).n;
  }

  saveObject(kind: string, id: string, body: unknown, at = new Date().toISOString()): void {
    this.db
      .prepare('INSERT INTO gl_objects (kind, id, body, fetched_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at')
      .run(kind, id, JSON.stringify(body), at);
  }

  syncState(): SyncStateRow {
    const r = this.db.prepare('SELECT * FROM sync_state WHERE id = 1').get() as {
      last_attempt_at: string | null;
      last_success_at: string | null;
      last_error: string | null;
      consecutive_failures: number;
    };
    return {
      ...(r.last_attempt_at ? { lastAttemptAt: r.last_attempt_at } : {}),
      ...(r.last_success_at ? { lastSuccessAt: r.last_success_at } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
      consecutiveFailures: r.consecutive_failures,
    };
  }

  recordSync(result: { at: string; ok: boolean; error?: string }): SyncStateRow {
    if (result.ok) {
      this.db.prepare('UPDATE sync_state SET last_attempt_at = ?, last_success_at = ?, last_error = ?, consecutive_failures = 0 WHERE id = 1').run(result.at, result.at, result.error ?? null);
    } else {
      this.db.prepare('UPDATE sync_state SET last_attempt_at = ?, last_error = ?, consecutive_failures = consecutive_failures + 1 WHERE id = 1').run(result.at, result.error ?? 'unknown error');
    }
    return this.syncState();
  }
}
