#!/usr/bin/env node
// Progress for `dotnet run` on a fresh clone. `dotnet run` builds with quiet verbosity: MSBuild
// messages of any importance, and everything an Exec'd command prints, stay hidden — only
// warnings and errors reach the terminal. So the steps the host's MSBuild targets run (npm ci,
// the plugin and web builds) go through this script, which writes one line per step straight to
// the terminal ("what … done in 12.3 s") and keeps each command's output to itself unless it fails.
//
//   node scripts/build-step.mjs "<what>" -- <command> [args…]     run one step
//   node scripts/build-step.mjs --say "<text>"                    print one line
//
// Without a terminal (CI, a pipe) the lines go to stdout like any build output. When a step fails
// its full output is printed (to the terminal, or to stdout for MSBuild's error) and the exit code
// is the command's.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const PREFIX = 'labyrinth ▸ ';

/** The terminal `dotnet run` was started in, when there is one; null in CI or when piped. */
function openTerminal() {
  for (const device of process.platform === 'win32' ? ['\\\\.\\CONOUT$'] : ['/dev/tty']) {
    try {
      return fs.openSync(device, 'w');
    } catch {
      // No controlling terminal: fall back to stdout.
    }
  }
  return null;
}

const terminal = openTerminal();
const write = (text) => (terminal === null ? process.stdout.write(text) : fs.writeSync(terminal, text));

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

function runStep(what, command, args) {
  const started = performance.now();
  // On a terminal the line is finished in place; elsewhere each line stands alone.
  write(terminal === null ? `${PREFIX}${what} …\n` : `${PREFIX}${what} … `);
  const output = [];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: process.platform === 'win32' });
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  child.on('error', (e) => output.push(Buffer.from(`${command}: ${e.message}\n`)));
  child.on('close', (code, signal) => {
    const elapsed = seconds(performance.now() - started);
    const exit = code ?? (signal ? 1 : 0);
    if (exit === 0) {
      write(terminal === null ? `${PREFIX}${what}: done in ${elapsed}\n` : `done in ${elapsed}\n`);
      process.exit(0);
    }
    const text = Buffer.concat(output).toString('utf8').trimEnd();
    write(terminal === null ? `${PREFIX}${what}: FAILED after ${elapsed}\n` : `FAILED after ${elapsed}\n`);
    if (terminal !== null) {
      // Shown once, as the command wrote it; MSBuild's error then points here.
      write(`${text}\n\n`);
      process.stdout.write(`${what} failed (exit code ${exit}); its output is shown above.\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    process.exit(exit);
  });
}

const argv = process.argv.slice(2);
if (argv[0] === '--say' && argv.length === 2) {
  write(`${PREFIX}${argv[1]}\n`);
} else if (argv.length >= 3 && argv[1] === '--') {
  runStep(argv[0], argv[2], argv.slice(3));
} else {
  process.stderr.write('usage: build-step.mjs "<what>" -- <command> [args…] | --say "<text>"\n');
  process.exit(2);
}
