// What the rest of the station sees of the sync: how fresh the cache is and whether GoldLeaf answers.
export interface SyncSnapshot {
  source: 'sandbox' | 'goldleaf';
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  lastError?: string;
  consecutiveFailures: number;
  releasedWorkOrders: number;
  /** What the last sync could not take from GoldLeaf (one line per work order or row), skipped until the next. */
  problems?: string[];
}

export interface SyncStatusSource {
  snapshot(): SyncSnapshot;
}

export type GoldleafReachability = 'reachable' | 'cache' | 'unreachable' | 'starting';

/** reachable: the last poll worked; cache: GoldLeaf fails but earlier data is served; unreachable: nothing to serve. */
export function reachability(s: SyncSnapshot): GoldleafReachability {
  if (!s.lastAttemptAt) return s.lastSuccessAt ? 'cache' : 'starting';
  if (s.consecutiveFailures === 0 && s.lastSuccessAt) return 'reachable';
  return s.lastSuccessAt || s.releasedWorkOrders > 0 ? 'cache' : 'unreachable';
}

export function ageSeconds(iso: string | undefined, now = Date.now()): number | undefined {
  return iso ? Math.max(0, Math.round((now - Date.parse(iso)) / 1000)) : undefined;
}
