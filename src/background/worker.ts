// The background thread itself (see thread.ts): hands each message to its part. The PDF part (fonts, pdf-lib, the
// layout code) is loaded with the first PDF request, so a station printing only ZPL never holds it here.
import { parentPort, type TransferListItem } from 'node:worker_threads';
import { checkpointer } from '../store/checkpointer.js';
import type { ThreadEnvelope, ThreadPartName } from './thread.js';

const port = parentPort!;
const send =
  (part: ThreadPartName) =>
  (body: unknown, transfer: TransferListItem[] = []) =>
    port.postMessage({ part, body } satisfies ThreadEnvelope, transfer);

const checkpoints = checkpointer(send('checkpoints'));
let pdf: Promise<(body: unknown) => void> | undefined;

port.on('message', (m: ThreadEnvelope) => {
  if (m.part === 'checkpoints') return checkpoints(m.body);
  pdf ??= import('../labels/pdf-worker.js').then(({ pdfDrawing }) => pdfDrawing(send('pdf')));
  void pdf.then((draw) => draw(m.body));
});
