#!/usr/bin/env node
// Bundles bench/math/evaluate.ts with esbuild (the card's own recogniser source) and runs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
const outfile = path.join(os.tmpdir(), `labyrinth-math-bench-${process.pid}.mjs`);
await build({ entryPoints: ['bench/math/evaluate.ts'], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
process.exitCode = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' }).status ?? 1;
