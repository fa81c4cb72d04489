// Bus matching in the page's TypeScript engine vs the seed's regex-per-subscription matcher
// (re-implemented here from seed 004's description, only for this comparison), on the workload
// written by workload.mjs. Also cross-checks delivery sets: TS engine = seed = C# engine.
// Bundled by run.sh with esbuild and run with node. Usage: node ts-bench.mjs <workload.json> <seconds>
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BusEngine, type BusMessage } from '../../sdk/src/bus-engine.ts';

const [path, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? '1');
const workload = JSON.parse(readFileSync(path!, 'utf8')) as { sizes: { n: number; patterns: string[]; topics: string[]; coldTopics: string[] }[] };

/** The seed's bus, as it describes itself: a Map pattern → subscriptions, a RegExp built per pattern per publish. */
class SeedBus {
  readonly subscriptions = new Map<string, Set<{ id: string; priority: number }>>();
  subscribe(pattern: string, sub: { id: string; priority: number }) {
    if (!this.subscriptions.has(pattern)) this.subscriptions.set(pattern, new Set());
    this.subscriptions.get(pattern)!.add(sub);
  }
  static matchType(pattern: string, type: string): boolean {
    if (pattern === '*') return true;
    if (pattern === type) return true;
    const regexPattern = pattern.replace(/\./g, '\\.').replace(/\*/g, '.*');
    return new RegExp(`^${regexPattern}$`).test(type);
  }
  getSubscriptions(type: string) {
    const result: { id: string; priority: number }[] = [];
    for (const [pattern, subs] of this.subscriptions) if (SeedBus.matchType(pattern, type)) result.push(...subs);
    return result.sort((a, b) => b.priority - a.priority);
  }
}

const now = () => performance.now();
const msg = (id: string, topic: string): BusMessage => ({ id, topic, senderMember: 'sender', senderPlugin: 'dev.sender', senderType: 'card', target: null, timestamp: 0, payload: null });

const ts: Record<string, unknown> = {};
const seed: Record<string, unknown> = {};
const mismatches: string[] = [];

for (const { n, patterns, topics, coldTopics } of workload.sizes) {
  const engine = new BusEngine({ maxSubscriptionsPerMember: Number.MAX_SAFE_INTEGER });
  const seedBus = new SeedBus();
  patterns.forEach((p, i) => {
    engine.subscribe({ id: `s${i}`, memberId: `m${Math.floor(i / 8)}`, pluginId: `dev.p${i % 50}`, pattern: p, priority: i % 3 });
    seedBus.subscribe(p, { id: `s${i}`, priority: i % 3 });
  });
  const messages = topics.map((t, k) => msg(`x${k}`, t));

  // TS engine: warm the cache, then as many publishes as fit in `seconds`.
  let delivered = 0;
  for (let k = 0; k < messages.length * 2; k++) delivered += engine.deliver(messages[k % messages.length]!).length;
  delivered = 0;
  let count = 0;
  const t0 = now();
  const budget = seconds * 1000;
  while (now() - t0 < budget) {
    for (let k = 0; k < 1024; k++) delivered += engine.deliver(messages[(count + k) % messages.length]!).length;
    count += 1024;
  }
  const tsRate = Math.round(count / ((now() - t0) / 1000));
  let cold = 0;
  const c0 = now();
  while (now() - c0 < budget / 2) { engine.deliver(msg('c', coldTopics[cold % coldTopics.length]!)); cold++; }
  ts[n] = { publish_per_s: tsRate, avg_delivered: Math.round((delivered / count) * 100) / 100, uncached_publish_per_s: Math.round(cold / ((now() - c0) / 1000)) };

  // Seed: bounded by time too (it does ~160/s at 10,000 here); at least 5 publishes.
  let seedCount = 0;
  const s0 = now();
  while (seedCount < 5 || now() - s0 < budget) { seedBus.getSubscriptions(topics[seedCount % topics.length]!); seedCount++; }
  seed[n] = { publish_per_s: Math.round(seedCount / ((now() - s0) / 1000)) };

  // Delivery sets on the first topics of the stream: TS engine vs seed vs the C# run.
  const checks = n >= 100_000 ? 20 : 200;
  const csPath = join(dirname(path!), `cs-sets-${n}.json`);
  const cs = existsSync(csPath) ? (JSON.parse(readFileSync(csPath, 'utf8')) as string[][]) : null;
  for (let k = 0; k < checks; k++) {
    const t = topics[k]!;
    const mine = engine.deliver(msg('chk', t)).map((s) => s.id).sort();
    const theirs = seedBus.getSubscriptions(t).map((s) => s.id).sort();
    if (mine.join() !== theirs.join()) mismatches.push(`${n} ${t}: ts=${mine.length} seed=${theirs.length}`);
    if (cs && cs[k]!.join() !== mine.join()) mismatches.push(`${n} ${t}: ts=${mine.length} cs=${cs[k]!.length}`);
  }
  (ts[n] as Record<string, unknown>).checked_topics = checks;
}

console.log(JSON.stringify({ ts, seed, mismatches }));
