// Rewrites the README's configuration table from the schema, so the documentation cannot drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigReference } from '../src/config/reference.js';

const path = new URL('../README.md', import.meta.url);
writeFileSync(path, replaceConfigReference(readFileSync(path, 'utf8')));
console.log('README.md configuration reference updated');
