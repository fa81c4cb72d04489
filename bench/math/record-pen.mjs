#!/usr/bin/env node
// Bundles bench/math/record-pen.ts (esbuild) and runs it. See record-pen.ts.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
const outfile = path.join(os.tmpdir(), `labyrinth-math-record-pen-${process.pid}.mjs`);
await build({ entryPoints: ['bench/math/record-pen.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning', external: ['playwright-core'] });
process.exitCode = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1;
