// Failure injection for the sandbox: slow answers, 429 with Retry-After, 5xx, dropped connections, malformed bodies,
// and JSON of the wrong shape.
export type FaultKind = 'slow' | 'status' | 'drop' | 'malformed' | 'bad-shape' | 'stall-body';

export interface Fault {
  kind: FaultKind;
  /** Only requests whose path contains this text; all when absent. */
  pathIncludes?: string;
  /** How many requests it hits before it is used up; forever when absent. */
  times?: number;
  delayMs?: number;
  status?: number;
  retryAfterSec?: number;
}

export class FaultPlan {
  private faults: Array<Fault & { left: number }> = [];
  /** Every request seen, for tests that count calls. */
  readonly seen: Array<{ method: string; path: string; query: string; status?: number }> = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault that applies to this request, consuming one use of it. */
  take(path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.left > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)));
    if (fault) fault.left--;
    this.faults = this.faults.filter((f) => f.left > 0);
    return fault;
  }
}
