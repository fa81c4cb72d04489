#!/usr/bin/env node
// Builds training/generate.ts with esbuild (the recogniser's own TypeScript) and runs it.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(os.tmpdir(), `labyrinth-math-generate-${process.pid}.mjs`);
await build({ entryPoints: [path.join(root, 'training/generate.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exitCode = run.status ?? 1;
