// Command-line tools: `check-config` validates the config (and each printer) without starting the station.
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, locateConfig } from './config/load.js';
import { configReferenceMarkdown } from './config/reference.js';
import { describeError } from './errors.js';
import { silentLogger } from './logger.js';
import { loadPrinters } from './printing/registry.js';

async function checkConfig(argv: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(locateConfig(argv, process.env, existsSync), process.env);
  } catch (err) {
    console.error(err instanceof ConfigError ? err.advice : describeError(err));
    return 2;
  }
  const printers = await loadPrinters(loaded.config.printers, silentLogger());
  const broken = printers.list().filter((p) => p.problem);
  const where = loaded.path ?? 'no config file (demo mode: sandbox and virtual printers)';
  console.log(`${where}: configuration is valid.`);
  console.log(`GoldLeaf: ${loaded.config.goldleaf.sandbox ? 'built-in sandbox' : loaded.config.goldleaf.baseUrl}`);
  // A usable entry is asked how the printer is now (a status question only, nothing printed): an entry that is right
  // for a printer that is off, or at another address, is what an installer wants to hear about before the first job.
  const now = new Map((await Promise.all(printers.list().filter((p) => !p.problem).map((p) => printers.refresh(p.id, 3000)))).map((v) => [v.id, v]));
  for (const p of printers.list()) {
    const view = now.get(p.id);
    const answers = view ? `; the printer now: ${view.state}${view.detail ? ` (${view.detail})` : ''}` : '';
    console.log(`printer ${p.id} (${p.entry.driver}, ${p.entry.uri}): ${p.problem ? `NOT USABLE: ${p.problem}` : `entry ok${answers}`}`);
  }
  await printers.close();
  if (broken.length) {
    console.log(`${broken.length} printer(s) will be reported as not usable; the station still starts.`);
    return 1;
  }
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<number>> = {
  'check-config': checkConfig,
  'config-reference': async () => {
    console.log(configReferenceMarkdown());
    return 0;
  },
};
const run = command ? commands[command] : undefined;
if (!run) {
  console.error(`usage: benchprint <command>\ncommands: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
process.exit(await run(rest));
