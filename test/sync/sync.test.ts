import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSandboxData } from '../../src/sandbox/data.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { printableWorkOrder } from '../../src/routes/work-orders.js';
import { reachability } from '../../src/sync/types.js';
import { StationError } from '../../src/errors.js';
import { ShopClock } from '../../src/lib/shop-clock.js';
import { syncOver } from '../helpers/sync.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
let sandbox: RunningSandbox;
beforeEach(async () => {
  sandbox = await startSandbox({ data: buildSandboxData(new Date('2026-11-26T00:00:00Z')) });
});
afterEach(() => sandbox.close());

const releasedIds = () => [...sandbox.state.data.workOrders.values()].filter((w) => w.status === 'Released').map((w) => w._id);

describe('sync of released work orders', () => {
  it('caches every released work order with lines, hoses, ends and crimp data per end', async () => {
    const { sync, cache, events } = syncOver(sandbox, dir);
    const report = await sync.syncOnce();
    expect(report.released).toBe(releasedIds().length);
    expect(report.problems).toEqual([]);
    expect(events.filter((e) => e.type === 'workorder.released')).toHaveLength(releasedIds().length);
    expect(cache.list().map((w) => w.id).sort()).toEqual(releasedIds().sort());

    // Check one line against the sandbox's own objects.
    const rawWo = sandbox.state.data.workOrders.get(releasedIds()[0]!)!;
    const rawLine = (rawWo.items as Array<{ item: string; quantity: number; itemType: string }>).find((l) => l.itemType === 'hoseAssembly')!;
    const rawAssembly = sandbox.state.data.assemblies.get(rawLine.item)!;
    const rawHose = sandbox.state.data.hoses.get(rawAssembly.hose as string)!;
    const rawSpec = (sandbox.state.data.crimpSpecs.get(rawHose._id) as Array<{ crimpDiam: { value: number } }>)[0]!;
    const wo = cache.get(rawWo.number as string)!;
    const line = wo.lines.find((l) => l.itemId === rawLine.item)!;
    expect(line.quantity).toBe(rawLine.quantity);
    expect(line.assembly!.partNumber).toBe(rawAssembly.partNumber);
    expect(line.assembly!.hose.maxWorkingPressure).toEqual(rawHose.maxWorkingPressure);
    expect(line.assembly!.end1.fittingPartNumber).toBe(rawAssembly.end1PartNumber);
    expect(line.assembly!.end1.crimp!.diameter!.value).toBe(rawSpec.crimpDiam.value);
    expect(line.assembly!.end2.crimp!.dieSize).toMatch(/^8[36]C-/);
    expect(wo.customer!.name).toBe(rawWo.customerName);
  });

  it('resolves kit lines into their assemblies and skips deleted lines', async () => {
    const { sync, cache } = syncOver(sandbox, dir);
    await sync.syncOnce();
    const withKit = cache.list().map((s) => cache.get(s.id)!).find((w) => w.lines.some((l) => l.kind === 'kit'))!;
    const kit = withKit.lines.find((l) => l.kind === 'kit')!.kit!;
    const rawKit = sandbox.state.data.kits.get(kit.id)!;
    expect(kit.assemblies.map((a) => a.assembly.partNumber)).toEqual(
      (rawKit.hoseAssemblies as Array<{ item: string }>).map((l) => sandbox.state.data.assemblies.get(l.item)!.partNumber),
    );
    const withDeleted = [...sandbox.state.data.workOrders.values()].find((w) => (w.items as Array<{ deleted: boolean }>).some((l) => l.deleted))!;
    expect(cache.get(withDeleted._id)!.lines.every((l) => l.lineNumber !== 999)).toBe(true);
  });

  it('notices newly released and no-longer-released work orders, once each', async () => {
    const { sync, cache, events, config } = syncOver(sandbox, dir);
    await sync.syncOnce();
    events.length = 0;
    const draft = [...sandbox.state.data.workOrders.values()].find((w) => w.status === 'Draft')!;
    const leaving = releasedIds()[3]!;
    sandbox.state.setStatus(draft._id, 'Released');
    sandbox.state.setStatus(leaving, 'Completed');
    const report = await sync.syncOnce();
    expect(report.newlyReleased).toEqual([draft.number]);
    expect(events.filter((e) => e.type === 'workorder.released').map((e) => (e as { workOrder: { id: string } }).workOrder.id)).toEqual([draft._id]);
    expect(events.filter((e) => e.type === 'workorder.unreleased').map((e) => (e as { workOrder: { id: string } }).workOrder.id)).toEqual([leaving]);
    events.length = 0;
    await sync.syncOnce();
    expect(events.filter((e) => e.type.startsWith('workorder.'))).toEqual([]);

    const err = (() => {
      try {
        printableWorkOrder({ workOrders: cache, config, clock: new ShopClock('America/Chicago') }, leaving);
      } catch (e) {
        return e as StationError;
      }
    })();
    expect(err?.code).toBe('WORK_ORDER_NOT_RELEASED');
    // When the station saw it leave, in the shop's time (not UTC's ISO string).
    const left = cache.get(leaving)!.leftReleasedAt!;
    expect(err?.message).toContain(`is no longer released in GoldLeaf (this station saw it leave at ${new ShopClock('America/Chicago').minute(left)})`);
    expect(err?.message).not.toContain(left);
    expect(printableWorkOrder({ workOrders: cache, config: { ...config, sync: { ...config.sync, keepUnreleasedPrintable: true } }, clock: new ShopClock() }, leaving).id).toBe(leaving);
    expect(cache.list().some((w) => w.id === leaving)).toBe(false);
    expect(cache.list({ includeLeft: true }).some((w) => w.id === leaving)).toBe(true);
  });

  it('keeps serving the cache through an outage and says how fresh it is', async () => {
    const { sync, cache } = syncOver(sandbox, dir, { goldleaf: { maxRetries: 1 } });
    await sync.syncOnce();
    sandbox.state.faults.add({ kind: 'drop' });
    await expect(sync.syncOnce()).rejects.toMatchObject({ code: 'GOLDLEAF_UNREACHABLE' });
    const snap = sync.snapshot();
    expect(snap.consecutiveFailures).toBe(1);
    expect(reachability(snap)).toBe('cache');
    expect(snap.lastError).toMatch(/could not be reached/);
    expect(cache.list()).toHaveLength(releasedIds().length);
    sandbox.state.faults.clear();
    await sync.syncOnce();
    expect(reachability(sync.snapshot())).toBe('reachable');
  });

  it('does not unrelease anything when a pass fails halfway', async () => {
    const { sync, cache, events } = syncOver(sandbox, dir, { goldleaf: { maxRetries: 0 } });
    await sync.syncOnce();
    sandbox.state.expireTokens();
    sandbox.state.faults.add({ kind: 'status', status: 500, pathIncludes: '/hoseassembly/' });
    // Force re-resolution by changing every work order.
    for (const id of releasedIds()) sandbox.state.data.workOrders.get(id)!.lastModified = new Date().toISOString();
    await expect(sync.syncOnce()).rejects.toMatchObject({ code: 'GOLDLEAF_SERVER_ERROR' });
    expect(cache.countReleased()).toBe(releasedIds().length);
    expect(events.filter((e) => e.type === 'workorder.unreleased')).toEqual([]);
  });

  it('reports a malformed work order without losing the others', async () => {
    const { sync, cache } = syncOver(sandbox, dir);
    const bad = sandbox.state.data.workOrders.get(releasedIds()[2]!)!;
    bad.number = null as unknown as string;
    const report = await sync.syncOnce();
    expect(report.problems.join()).toMatch(/GET \/workorders row \d+.*number/);
    expect(cache.countReleased()).toBe(releasedIds().length - 1);
  });

  it.each([
    ['invalid JSON', 'malformed'],
    ['JSON of the wrong shape', 'bad-shape'],
  ] as const)('skips one work order GoldLeaf answers with %s, names it by number, keeps its last copy, and asks again next time', async (_what, kind) => {
    const { sync, cache } = syncOver(sandbox, dir);
    await sync.syncOnce();
    const ids = releasedIds();
    const bad = sandbox.state.data.workOrders.get(ids[1]!)!;
    for (const id of ids) sandbox.state.data.workOrders.get(id)!.lastModified = new Date().toISOString();
    sandbox.state.faults.add({ kind, pathIncludes: `/workorder/${bad._id}` });
    const fetches = () => sandbox.state.faults.seen.filter((r) => r.path === `/api/v1/workorder/${bad._id}`).length;
    const before = fetches();
    const report = await sync.syncOnce();
    expect(report.resolved).toBe(ids.length - 1);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatch(new RegExp(`^${bad.number}: .*skipped until the next sync; the bench keeps its last good copy`));
    expect(fetches() - before).toBe(1); // asked once, not four times
    expect(sync.snapshot().problems).toEqual(report.problems);
    const kept = cache.get(bad.number as string)!;
    expect(kept.released).toBe(true);
    expect(kept.stale?.reason).toMatch(/not JSON|expected shape/);
    expect(cache.list().find((w) => w.id === bad._id)?.stale).toBeDefined();
    // Next sync: asked again; fixed in GoldLeaf, it is fresh again.
    sandbox.state.faults.clear();
    const next = await sync.syncOnce();
    expect(fetches() - before).toBe(2);
    expect(next.problems).toEqual([]);
    expect(cache.get(bad.number as string)!.stale).toBeUndefined();
  });

  it('keeps the last good copy of a work order whose assembly GoldLeaf no longer has, and names it', async () => {
    const { sync, cache } = syncOver(sandbox, dir);
    await sync.syncOnce();
    const id = releasedIds()[0]!;
    const wo = sandbox.state.data.workOrders.get(id)!;
    const item = (wo.items as Array<{ item: string; itemType: string; lineNumber: number }>).find((l) => l.itemType === 'hoseAssembly')!;
    const before = cache.get(id)!;
    wo.lastModified = new Date().toISOString();
    sandbox.state.faults.add({ kind: 'status', status: 404, pathIncludes: `/hoseassembly/${item.item}` });
    const report = await sync.syncOnce();
    expect(report.problems.some((p) => p.startsWith(`${wo.number}: line `) && /nothing at GET \/hoseassembly/.test(p))).toBe(true);
    const kept = cache.get(id)!;
    expect(kept.lines).toEqual(before.lines);
    expect(kept.stale?.reason).toMatch(/line \d+: GoldLeaf has nothing at/);
  });

  it('calls it GoldLeaf failing, not the records, when every work order fails', async () => {
    const { sync, cache } = syncOver(sandbox, dir, { goldleaf: { maxRetries: 0 } });
    await sync.syncOnce();
    for (const id of releasedIds()) sandbox.state.data.workOrders.get(id)!.lastModified = new Date().toISOString();
    sandbox.state.faults.add({ kind: 'status', status: 503, pathIncludes: '/workorder/' });
    await expect(sync.syncOnce()).rejects.toMatchObject({ code: 'GOLDLEAF_SERVER_ERROR', message: expect.stringMatching(/every released work order/) });
    expect(cache.countReleased()).toBe(releasedIds().length);
  });

  it('skips work orders GoldLeaf says are unchanged', async () => {
    const { sync } = syncOver(sandbox, dir);
    expect((await sync.syncOnce()).resolved).toBe(releasedIds().length);
    expect((await sync.syncOnce()).resolved).toBe(0);
    sandbox.state.data.workOrders.get(releasedIds()[0]!)!.lastModified = new Date().toISOString();
    expect((await sync.syncOnce()).resolved).toBe(1);
  });

  it('picks up a token that expires in the middle of a pass', async () => {
    const { sync } = syncOver(sandbox, dir);
    sandbox.state.faults.add({ kind: 'slow', delayMs: 15, pathIncludes: '/hose' }); // stretch the pass
    const pending = sync.syncOnce();
    // In the middle of the pass: once its first hose is asked for (a fixed 60 ms came after the end of the pass in
    // a full run on a loaded machine).
    while (!sandbox.state.faults.seen.some((s) => s.path.includes('/hose'))) await new Promise((r) => setTimeout(r, 2));
    sandbox.state.expireTokens();
    const report = await pending;
    expect(report.released).toBe(releasedIds().length);
    expect(report.problems).toEqual([]);
    const seen = sandbox.state.faults.seen;
    expect(seen.filter((s) => s.status === 401).length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.path === '/security/v1/token')).toHaveLength(2);
  });
});
