// The only list of printer drivers; each is loaded when a configured printer first needs it.
import type { DriverDefinition } from '../src/printing/types.js';

type Loader = () => Promise<{ default: DriverDefinition<any> }>;

export const drivers: Readonly<Record<string, Loader>> = {
  zpl: () => import('./zpl.js'),
  escpos: () => import('./escpos.js'),
  ipp: () => import('./ipp.js'),
  folder: () => import('./folder.js'),
};
