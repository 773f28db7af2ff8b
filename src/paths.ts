// Folders shipped with benchprint, found the same way from src/ (tsx, tests) and from dist/src/ (npm start).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: one level up from src/, two from dist/src/. */
export const PACKAGE_ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url));

/** The templates shipped with benchprint; a shop's own folder is laid over it (see lib/template-folders). */
export const SHIPPED_TEMPLATES = join(PACKAGE_ROOT, 'templates');
