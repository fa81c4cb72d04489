// The card's script. The host injects the bootstrap into dice.html; `window.labyrinth.ready`
// resolves with the CardContext once the host has connected the card.
const isRoll = (v) => typeof v === 'object' && v !== null
  && typeof v.value === 'number' && typeof v.sides === 'number' && typeof v.at === 'string';

/** Wires the page to `card`; exported so the test can drive it against the mock host. */
export function start(card, doc = document) {
  const last = doc.querySelector('[data-testid="last"]');
  const list = doc.querySelector('[data-testid="history"]');
  const button = doc.querySelector('button');
  // A payload of another shape (an earlier version's) gives an empty history, not a broken card.
  const history = Array.isArray(card.payload) ? card.payload.filter(isRoll).slice(-20) : [];
  const sides = () => (Number.isInteger(card.props.sides) ? card.props.sides : 6);

  function render() {
    last.textContent = history.length ? String(history.at(-1).value) : '–';
    button.textContent = `Roll a d${sides()}`;
    list.replaceChildren(...history.toReversed().map((r) => {
      const li = doc.createElement('li');
      li.textContent = `${r.value} of ${r.sides}`;
      return li;
    }));
  }
  button.addEventListener('click', () => {
    history.push({ value: 1 + Math.floor(Math.random() * sides()), sides: sides(), at: new Date().toISOString() });
    if (history.length > 20) history.shift();
    card.setPayload(history);
    render();
  });
  card.onPropsChanged(render);
  render();
}

if (globalThis.labyrinth?.ready) start(await globalThis.labyrinth.ready);
