// What changed on a line since its tags were made, named as the crimper reads it; nothing when the tags still match.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CachedWorkOrder, LineView } from '../../src/domain/work-order.js';
import { tagChanges } from '../../src/labels/tag-changes.js';
import { demoWorkOrders } from '../helpers/labels.js';
import { tempDir } from '../helpers/temp.js';

let wo: CachedWorkOrder;
let line: LineView;
const copy = <T>(v: T): T => structuredClone(v);

beforeAll(async () => {
  const all = await demoWorkOrders(tempDir());
  wo = all.find((w) => w.number === 'WO-24005')!;
  line = wo.lines.find((l) => l.lineNumber === 10)!;
});

describe('changes since a line\'s tags were made', () => {
  it('are none while the line is as it was', () => {
    expect(tagChanges({ workOrder: wo, line: copy(line) }, line, wo)).toEqual([]);
  });

  it('name each thing a tag shows that differs, before and after', () => {
    const now = copy(line);
    now.assembly!.cutLength = { value: 1700, unit: 'mm' };
    now.assembly!.end2.fittingPartNumber = '13743-8-10';
    now.assembly!.revision = 'C';
    now.purchaseOrder = 'NF26199';
    expect(tagChanges({ workOrder: wo, line, po: line.purchaseOrder ?? wo.purchaseOrder }, now, wo)).toEqual([
      `part ${line.assembly!.partNumber} rev ${line.assembly!.revision} → ${line.assembly!.partNumber} rev C`,
      'cut length 1712 mm → 1700 mm',
      `fitting B ${line.assembly!.end2.fittingPartNumber} → 13743-8-10`,
      `customer PO ${line.purchaseOrder ?? wo.purchaseOrder} → NF26199`,
    ]);
  });

  it('say when the line now holds another item, and compare nothing from labels made without a line', () => {
    const kitLine = wo.lines.find((l) => l.kit) ?? { ...copy(line), assembly: undefined, kit: { id: 'k', partNumber: 'KIT-7', assemblies: [] } };
    expect(tagChanges({ workOrder: wo, line }, kitLine as LineView, wo)).toEqual([`item ${line.assembly!.partNumber} → ${(kitLine as LineView).kit!.partNumber}`]);
    expect(tagChanges({}, line, wo)).toEqual([]);
  });
});
