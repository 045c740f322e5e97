/** Child of the PGlite single-server test: opens the store on GP_DATA_DIR, says `ready`, and waits to be killed. */
import { createStore } from '../../src/store/create-store.js';

const dataDir = process.env.GP_DATA_DIR;
if (!dataDir) throw new Error('GP_DATA_DIR is not set');
await createStore({ dataDir });
console.log('ready');
setInterval(() => {}, 1000);
