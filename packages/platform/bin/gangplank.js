#!/usr/bin/env node
// The `gangplank` command: a shim over the compiled CLI (run `npx tsc -b` first when working from a checkout).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
