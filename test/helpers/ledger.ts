// A job as a bench ships it to the shop ledger, for the ledger's tests.
import type { ShippedJob } from '../../src/shop/ledger.js';

export const shippedJob = (id: string, over: Partial<ShippedJob> = {}): ShippedJob => ({
  id,
  seq: 1,
  state: 'done',
  title: `tags ${id}`,
  kind: 'labels',
  printerId: 'tags',
  requestedBy: 'kiosk',
  workOrderNumber: 'WO-1',
  lineNumber: 10,
  templateId: 'hose-tag',
  templateVersion: 1,
  serials: [`${id}-1`, `${id}-2`],
  firstPart: 1,
  partsTotal: 2,
  partsConfirmed: 2,
  isReprint: false,
  partNumbers: ['HA-1', 'HA-1'],
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:01.000Z',
  ...over,
});
