// labyrinth-build A/B in one Node process, alternating (A,B then B,A): each build follows an edit
// of the card's heading, as a save in `labyrinth plugin dev` does. Both tools must sit in the
// plugin's node_modules/@labyrinth/sdk/bin/ (they import their neighbours from there).
// Usage: node bench/devloop/build-ab.mjs <pluginDir> <a.mjs> <b.mjs> [rounds=30]
import fs from 'node:fs';
import path from 'node:path';

const [dir, aPath, bPath, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 30);
const a = await import(path.resolve(aPath));
const b = await import(path.resolve(bPath));
const src = path.join(dir, 'src', 'Dice.svelte');
const orig = fs.readFileSync(src, 'utf8');
const t = { a: [], b: [] };
try {
  for (let i = 0; i < rounds + 2; i++) {
    for (const [name, tool] of i % 2 ? [['a', a], ['b', b]] : [['b', b], ['a', a]]) {
      fs.writeFileSync(src, orig.replace('<h1>Dice</h1>', `<h1>Dice ${name} ${i}</h1>`));
      const s = performance.now();
      await tool.buildPlugin(dir, { out: '.labyrinth/dev', force: true, compressed: false });
      if (i >= 2) t[name].push(performance.now() - s); // the first two rounds warm both
    }
  }
} finally {
  fs.writeFileSync(src, orig);
}
const pct = (xs, p) => { const s = [...xs].sort((x, y) => x - y); return Math.round(s[Math.round((p / 100) * (s.length - 1))]); };
console.log(JSON.stringify({ bench: 'devloop-build', rounds, a: aPath, b: bPath, a_p50_ms: pct(t.a, 50), a_p95_ms: pct(t.a, 95), b_p50_ms: pct(t.b, 50), b_p95_ms: pct(t.b, 95) }));
process.exit(0); // esbuild's service would keep the process alive
