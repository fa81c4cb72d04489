// Marks that this plugin's own code ran (a closed card's HTML entry must never load).
document.documentElement.dataset.pluginCodeRan = 'true';

// Plain-HTML card: no build step, no mountPlugin. The bootstrap (injected by the host) exposes
// window.labyrinth.ready, a promise of the CardContext. Poll briefly in case this script runs
// before the bootstrap (script order is the host's choice).
async function context() {
  for (let i = 0; !window.labyrinth; i++) {
    if (i > 500) throw new Error('window.labyrinth never appeared');
    await new Promise((r) => setTimeout(r, 10));
  }
  return window.labyrinth.ready;
}

const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
const card = await context();
const show = () => { byId('props').textContent = JSON.stringify(card.props); };
show();
card.onPropsChanged(show);

let clicks = 0;
byId('save').addEventListener('click', () => {
  clicks += 1;
  card.setPayload({ clicks, from: 'html' });
  byId('status').textContent = `saved ${clicks}`;
});
