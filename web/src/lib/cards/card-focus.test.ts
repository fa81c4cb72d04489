// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { CardFocus, type FocusableCard } from './card-focus.svelte';
import { CardPrompts } from './prompts.svelte';

/** A card (its frame is never attached: nothing loads); records what the keeper told it. */
function fakeCard(doc: Document) {
  const iframe = doc.createElement('iframe');
  const shield = doc.createElement('button');
  doc.body.appendChild(shield);
  const seen = { allowed: [] as boolean[], thefts: 0 };
  const card: FocusableCard = {
    iframe: () => iframe,
    setFocusAllowed: (a) => seen.allowed.push(a),
    focusStolen: () => seen.thefts++,
    focusShield: () => shield.focus(),
  };
  return { card, iframe, shield, seen };
}

function setup() {
  const keeper = new CardFocus();
  const deferred: (() => void)[] = [];
  const detach = keeper.attach({
    doc: document,
    win: window,
    defer: (fn) => deferred.push(fn),
    every: () => () => {},
  });
  const runDeferred = () => {
    while (deferred.length) deferred.shift()!();
  };
  return { keeper, detach, runDeferred };
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
  document.body.replaceChildren();
});

describe('CardFocus', () => {
  it('hold_CardEnteredWhenADialogItCausedShows_LeavesItAndEntersItAgainWhenTheDialogCloses', () => {
    const { keeper, detach, runDeferred } = setup();
    cleanup = detach;
    const a = fakeCard(document);
    keeper.register('w1', a.card);
    keeper.enter('w1');

    const release = keeper.hold();
    expect(keeper.entered).toBeNull();
    expect(a.seen.allowed.at(-1)).toBe(false);
    // The person answers the dialog with a press on the host page.
    document.dispatchEvent(new Event('pointerdown'));
    release();
    runDeferred();

    expect(keeper.entered).toBe('w1');
    expect(a.seen.allowed.at(-1)).toBe(true);
    expect(a.seen.thefts).toBe(0);
  });

  it('hold_NoCardEnteredWhenTheDialogShowed_EntersNoCardWhenItCloses', () => {
    const { keeper, detach, runDeferred } = setup();
    cleanup = detach;
    const a = fakeCard(document);
    keeper.register('w1', a.card);

    const release = keeper.hold();
    release();
    runDeferred();

    expect(keeper.entered).toBeNull();
    expect(a.seen.allowed).toEqual([]);
  });

  it('hold_TwoDialogsInARow_EntersTheCardOnlyAfterTheLast', () => {
    const { keeper, detach, runDeferred } = setup();
    cleanup = detach;
    const a = fakeCard(document);
    keeper.register('w1', a.card);
    keeper.enter('w1');

    const first = keeper.hold();
    const second = keeper.hold();
    first();
    runDeferred();
    expect(keeper.entered).toBeNull();
    second();
    second();
    runDeferred();
    expect(keeper.entered).toBe('w1');
  });

  it('focusin_HostControlWhileACardIsEntered_LeavesTheCard', () => {
    const { keeper, detach } = setup();
    cleanup = detach;
    const a = fakeCard(document);
    keeper.register('w1', a.card);
    keeper.enter('w1');
    const input = document.createElement('input');
    document.body.appendChild(input);

    // Tab past the card's last control lands here.
    input.focus();

    expect(keeper.entered).toBeNull();
    expect(a.seen.allowed).toEqual([true, false]);
    expect(a.seen.thefts).toBe(0);
  });
});

describe('CardPrompts with a focus hold', () => {
  it('consent_FirstPromptQueuedAndLastAnswered_HoldsOnceAndReleasesOnce', async () => {
    const events: string[] = [];
    const prompts = new CardPrompts({
      hold: () => {
        events.push('hold');
        return () => events.push('release');
      },
    });
    const ask = { windowId: 'w1', title: 'T', message: 'M', allowLabel: 'Allow', denyLabel: 'Deny' };
    const a = prompts.consent(ask);
    const b = prompts.pickAsset({ windowId: 'w1', cardName: 'C', assetType: 'image' });
    expect(events).toEqual(['hold']);
    if (prompts.current?.kind === 'consent') prompts.current.resolve(true);
    await a;
    expect(events).toEqual(['hold']);
    prompts.dismissFor('w1');
    await b;
    expect(events).toEqual(['hold', 'release']);
  });
});
