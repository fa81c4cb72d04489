import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Writes a small plugin exercising every build path into a fresh temp directory. */
export function writeFixturePlugin(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labyrinth-fixture-'));
  const all: Record<string, string> = {
    'manifest.json': JSON.stringify({
      id: 'dev.labyrinth.fixture', name: 'Fixture', version: '1.2.3', cards: [
        { typeID: 'counter', name: 'Counter', runtime: { kind: 'web', entry: 'cards/counter.js', source: 'src/Counter.svelte' }, defaultSizePt: { width: 300, height: 200 } },
        { typeID: 'plain', name: 'Plain', runtime: { kind: 'web', entry: 'cards/plain.js', source: 'src/plain.ts' }, defaultSizePt: { width: 300, height: 200 } },
        { typeID: 'page', name: 'Page', runtime: { kind: 'web', entry: 'cards/page.html' }, defaultSizePt: { width: 300, height: 200 } },
      ],
    }, null, 2),
    'src/Counter.svelte': `<script lang="ts">
  import type { CardProps } from '@labyrinth/sdk';
  import { Counter } from './counter.svelte.ts';
  let { label = 'Count', card }: CardProps<{ label?: string }> = $props();
  // svelte-ignore state_referenced_locally
  const counter = new Counter(card);
</script>
<p class="label">{label}</p>
<button onclick={() => counter.inc()}>{counter.value}</button>
<style>p { color: var(--lab-text, #123456); }</style>
`,
    'src/counter.svelte.ts': `import type { CardContext } from '@labyrinth/sdk';
export class Counter {
  value = $state(0);
  constructor(private card: CardContext) { this.value = (card.payload as { n?: number } | null)?.n ?? 0; }
  inc(): void { this.value++; this.card.setPayload({ n: this.value }); }
}
`,
    'src/plain.ts': `import type { MountPlugin } from '@labyrinth/sdk';
import { greet } from './greet.ts';
export const mountPlugin: MountPlugin = (target, props) => { target.textContent = greet(String(props.who ?? 'x')); return () => { target.textContent = ''; }; };
`,
    'src/greet.ts': 'export const greet = (who: string): string => `hi ${who}`;\n',
    'public/cards/page.html': '<!doctype html><title>page</title><script type="module" src="page.js"></script>\n',
    'public/cards/page.js': 'console.log("page");\n',
    'assets/logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
