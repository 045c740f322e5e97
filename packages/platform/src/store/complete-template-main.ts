/**
 * `node complete-template-main.js <folder>`: writes the template databases into a PGlite folder (`completeTemplate`).
 * Run by the PGlite driver as a process of its own: inflating the archive leaves ~70 MB that glibc keeps in the
 * process that allocated it (a worker thread's arenas included), which an idle server would then carry.
 */
import { completeTemplate } from './pglite-template.js';

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: complete-template-main.js <PGlite data folder>');
  process.exit(2);
}
await completeTemplate(folder);
