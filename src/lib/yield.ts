// Long renders (a 1,000-label PDF takes seconds) give the event loop a turn now and then, so the kiosk, the API and
// the printers' workers keep answering while a big job is being made.

/** Returns a function to call once per item; every `every` items it lets other work run. */
export function turnTaker(every: number): () => Promise<void> | undefined {
  let n = 0;
  return () => (++n % every === 0 ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined);
}
