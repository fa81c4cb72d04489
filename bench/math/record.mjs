#!/usr/bin/env node
// Bundles bench/math/record.ts (esbuild) and runs it. See record.ts.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
const outfile = path.join(os.tmpdir(), `labyrinth-math-record-${process.pid}.mjs`);
await build({ entryPoints: ['bench/math/record.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning', external: ['playwright-core'] });
process.exitCode = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1;
