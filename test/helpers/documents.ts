// A document service over the shipped templates, optionally connected to a sandbox.
import type { GoldleafClient } from '../../src/goldleaf/client.js';
import { DocumentService } from '../../src/documents/service.js';
import { loadFonts } from '../../src/labels/fonts.js';
import { TEMPLATES_DIR } from './labels.js';

export function documentService(goldleaf?: GoldleafClient, templatesDir = TEMPLATES_DIR): DocumentService {
  return new DocumentService({ templatesDir, fonts: loadFonts(`${TEMPLATES_DIR}/fonts`), ...(goldleaf ? { goldleaf } : {}), shopName: 'Demo Hydraulics Ltd', stationName: 'Bench 1' });
}
