// The seam between themes and card frames (docs/api.md "Themes"): the theme feature publishes the
// active theme's card tokens here; every card bridge reads them for `init` and registers a sink
// that forwards changes as `themeChanged`. Kept DOM- and Svelte-free so both sides can test it.

export type CardThemeTokens = Readonly<Record<string, string>>;

type Sink = (tokens: CardThemeTokens) => void;

let current: CardThemeTokens = Object.freeze({});
const sinks = new Set<Sink>();

/** Tokens a card gets in `init.themeTokens` right now. */
export function cardThemeTokens(): CardThemeTokens {
  return current;
}

/** Called by the theme feature whenever the active theme changes. */
export function publishCardTheme(tokens: Record<string, string>): void {
  current = Object.freeze({ ...tokens });
  for (const sink of [...sinks]) sink(current);
}

/** A card bridge registers here to receive `themeChanged`; returns the unregister function. */
export function onCardThemeChange(sink: Sink): () => void {
  sinks.add(sink);
  return () => {
    sinks.delete(sink);
  };
}
