// Setting a Zebra up from the bench (calibrate, darkness, speed, identify), apart from printing on it.
import { StationError } from '../src/errors.js';
import { TcpSession, type TcpTarget } from '../src/printing/tcp.js';
import type { SetupAction, SetupResult } from '../src/printing/types.js';
import { hostStatusAnswer, oneFrame } from '../src/printing/zpl-status.js';
const DARKNESS = { min: 0, max: 30 };
const SPEED = { min: 1, max: 14 };

/**
 * Sets a Zebra up from the bench on its own connection (never during a job): calibrate the media (~JC), set darkness
 * (~SD) or print speed (^PR), each saved in the printer (^JUS); then reads back what it says of itself (~HI, ~HS, ^HH).
 */
export async function setupZpl(action: SetupAction, o: { statusTimeoutMs: number; writeTimeoutMs: number }, target: TcpTarget, signal: AbortSignal): Promise<SetupResult> {
  const said: string[] = [];
  if (action.action === 'darkness' && !(Number.isInteger(action.value) && action.value >= DARKNESS.min && action.value <= DARKNESS.max)) {
    throw new StationError('INVALID_SETTING', `Darkness is a whole number from ${DARKNESS.min} to ${DARKNESS.max}, not ${action.value}.`, { status: 422 });
  }
  if (action.action === 'speed' && !(Number.isInteger(action.value) && action.value >= SPEED.min && action.value <= SPEED.max)) {
    throw new StationError('INVALID_SETTING', `Print speed is a whole number of inches per second from ${SPEED.min} to ${SPEED.max}, not ${action.value}.`, { status: 422 });
  }
  const session = await TcpSession.open(target, signal);
  try {
    const send = (text: string) => session.write(Buffer.from(text, 'latin1'), o.writeTimeoutMs, signal);
    if (action.action === 'calibrate') {
      await send('~JC');
      said.push('The printer fed labels to measure them.');
    } else if (action.action === 'darkness') {
      await send(`~SD${String(action.value).padStart(2, '0')}^XA^JUS^XZ`);
      said.push(`Darkness set to ${action.value} and saved in the printer.`);
    } else if (action.action === 'speed') {
      await send(`^XA^PR${action.value}^JUS^XZ`);
      said.push(`Print speed set to ${action.value} inches a second and saved in the printer.`);
    }
    // A calibrating printer answers once it has measured: give it time.
    const wait = action.action === 'calibrate' ? Math.max(15_000, o.statusTimeoutMs) : o.statusTimeoutMs;
    await send('~HI\r\n');
    const hi = await session.answer(oneFrame, wait, signal);
    await send('~HS\r\n');
    const hs = await session.answer(hostStatusAnswer, wait, signal);
    if (!hi && !hs) throw new StationError('PRINTER_SILENT', `The printer at ${target.host}:${target.port} did not answer ~HI or ~HS.`, { status: 502, hint: 'Check that it is a ZPL printer and that nothing else holds its port.' });
    const facts: SetupResult['facts'] = {};
    if (hi) {
      const [model, firmware, dots] = hi.split(',').map((p) => p.trim());
      if (model) facts.model = model;
      if (firmware) facts.firmware = firmware;
      if (Number(dots) > 0) facts.dpmm = Number(dots);
    }
    if (hs) {
      facts.state = hs.status.detail ?? hs.status.state;
      if (hs.labelLengthDots) facts.labelLengthMm = Math.round((hs.labelLengthDots / (facts.dpmm ?? 8)) * 10) / 10;
    }
    // ^HH (the configuration as text) is answered by most Zebras; a short wait, as some do not.
    await send('^XA^HH^XZ');
    const config = await session.answer(oneFrame, Math.min(3000, o.statusTimeoutMs * 2), signal);
    if (config) {
      const darkness = /([+-]?\d+(?:\.\d+)?)\s+DARKNESS\b/.exec(config);
      const speed = /(\d+(?:\.\d+)?)\s*IPS\s+PRINT SPEED/.exec(config);
      const length = /(\d+)\s+LABEL LENGTH/.exec(config);
      if (darkness) facts.darkness = Number(darkness[1]);
      if (speed) facts.speedIps = Number(speed[1]);
      if (length && !facts.labelLengthMm) facts.labelLengthMm = Math.round((Number(length[1]) / (facts.dpmm ?? 8)) * 10) / 10;
    }
    const known = [
      facts.model && `${facts.model}${facts.firmware ? ` (firmware ${facts.firmware})` : ''}`,
      facts.dpmm && `${Math.round(facts.dpmm * 25.4)} dpi`,
      facts.labelLengthMm && `labels ${facts.labelLengthMm} mm long`,
      facts.darkness !== undefined && `darkness ${facts.darkness}`,
      facts.speedIps !== undefined && `speed ${facts.speedIps} in/s`,
      facts.state && `now ${facts.state}`,
    ].filter(Boolean);
    said.push(`The printer says: ${known.join(', ')}.`);
    return { said: said.join(' '), facts };
  } finally {
    session.destroy();
  }
}
