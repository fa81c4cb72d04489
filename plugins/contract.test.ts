// @vitest-environment happy-dom
// Every example card keeps the card contract (@labyrinth/sdk/testing), as a scaffolded plugin's
// own test does. Runs against the built bundles (npm run build:all builds them first).
import { describe, it } from 'vitest';
import { cardContract, type CardContractOptions } from '../sdk/src/testing.ts';
import type { CardModule } from '../sdk/src/types.ts';

const examples: Record<string, { entry: string; options?: Omit<CardContractOptions, 'mountPlugin'> }> = {
  hello: {
    entry: './hello/dist/cards/hello.js',
    options: { props: { name: 'Ada' }, otherProps: { name: 'Grace' }, interact: (t) => { t.querySelector('button')!.click(); } },
  },
  notes: { entry: './notes/dist/cards/note.js', options: { payload: { text: 'hi' } } },
  timer: { entry: './timer/dist/cards/timer.js', options: { props: { label: 'Tea' }, otherProps: { label: 'Eggs' } } },
  chatbot: { entry: './chatbot/dist/cards/chatbot.js' },
};

for (const [name, { entry, options }] of Object.entries(examples)) {
  describe(`${name} card contract`, async () => {
    const { mountPlugin } = await import(/* @vite-ignore */ entry) as CardModule;
    for (const check of cardContract({ mountPlugin, ...options })) it(check.name, check.run);
  });
}
