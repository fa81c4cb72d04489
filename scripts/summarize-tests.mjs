// Sums vitest's JSON report and every .trx file into the one closing line test.sh promises,
// and exits non-zero when anything failed or a suite produced no report at all.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.test-results';
let passed = 0, failed = 0, skipped = 0;
const missing = [];

const vitest = join(dir, 'vitest.json');
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (r.success === false && (r.numFailedTests ?? 0) === 0) failed += 1; // a suite that failed to load
} else missing.push('vitest');

// One line per type-check (test.sh): each counts as a test, so a type error fails the run.
const typecheck = join(dir, 'typecheck.jsonl');
if (existsSync(typecheck)) {
  for (const line of readFileSync(typecheck, 'utf8').split('\n').filter(Boolean)) {
    const { name, ok } = JSON.parse(line);
    if (ok) passed += 1;
    else { failed += 1; console.error(`type-check failed: ${name}`); }
  }
} else missing.push('type-check');

// Labyrinth.Host.Tests.postgres: the Host tests' second pass on PostgreSQL (test.sh).
for (const suite of ['Labyrinth.Core.Tests', 'Labyrinth.Host.Tests', 'Labyrinth.Cli.Tests', 'Labyrinth.E2E.Tests', 'Labyrinth.Host.Tests.postgres']) {
  const file = join(dir, `${suite}.trx`);
  if (!existsSync(file)) { missing.push(suite); continue; }
  const xml = readFileSync(file, 'utf8');
  const counters = /<Counters\s([^>]*)\/>/.exec(xml)?.[1] ?? '';
  const n = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(counters)?.[1] ?? 0);
  passed += n('passed');
  failed += n('failed') + n('error') + n('timeout') + n('aborted');
  skipped += n('notExecuted');
}

for (const m of missing) { console.error(`no results from ${m} (it did not run or crashed)`); failed += 1; }
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
