// Writes the bus bench workload (deterministic): for each size, N subscription patterns (mixed
// exact and wildcard), a stream of topics to publish, and a stream of distinct "cold" topics.
// Usage: node workload.mjs <out.json> [sizes=10,1000,10000,100000]
import { writeFileSync } from 'node:fs';

const out = process.argv[2];
const sizes = (process.argv[3] ?? '10,1000,10000,100000').split(',').map(Number);

// mulberry32: small, seeded, good enough for a workload.
function rng(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const result = { sizes: [] };
for (const n of sizes) {
  const r = rng(n);
  const pick = (k) => Math.floor(r() * k);
  // The topic space grows with N so delivery sets stay a handful (cards subscribe to specific things).
  const domains = Math.max(4, Math.ceil(n / 100));
  const entities = 20;
  const actions = 10;
  const topic = () => `d${pick(domains)}:e${pick(entities)}:a${pick(actions)}`;
  const patterns = [];
  for (let i = 0; i < n; i++) {
    const [d, e, a] = topic().split(':');
    const k = r();
    // 70% exact, 12% entity wildcard, 10% action wildcard, 5% domain wildcard, 3% two wildcards.
    patterns.push(k < 0.70 ? `${d}:${e}:${a}` : k < 0.82 ? `${d}:*:${a}` : k < 0.92 ? `${d}:${e}:*` : k < 0.97 ? `*:${e}:${a}` : `${d}:*:*`);
  }
  const topics = Array.from({ length: 1000 }, topic);
  const coldTopics = Array.from({ length: 20000 }, (_, i) => `c${i}:e${pick(entities)}:a${pick(actions)}`);
  // Cold topics must still match something: subscribe-side wildcards on the domain cover some.
  result.sizes.push({ n, patterns, topics, coldTopics });
}
writeFileSync(out, JSON.stringify(result));
