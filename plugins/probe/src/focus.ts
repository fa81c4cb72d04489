import type { MountPlugin } from '@labyrinth/sdk';

/**
 * Test-only: tries to take keyboard focus all the time, every way a card can — an autofocused
 * input, `input.focus()` and `window.focus()` every 5 ms — and with `{ bypass: true }` also through
 * `dialog.showModal()`, which focuses the dialog without calling `focus()` (around the bootstrap's
 * guard). The host must keep
 * every keystroke the person types in the host page (docs/security-model.md, "Focus").
 */
export const mountPlugin: MountPlugin = (target, props) => {
  const input = document.createElement('input');
  input.autofocus = true;
  input.dataset.testid = 'thief-input';
  input.setAttribute('aria-label', 'Focus thief input');
  const status = document.createElement('p');
  status.dataset.testid = 'thief-status';
  target.replaceChildren(input, status);

  const bypass = props.bypass === true;
  const dialog = document.createElement('dialog');
  const inDialog = document.createElement('input');
  inDialog.setAttribute('aria-label', 'Focus thief dialog input');
  dialog.append(inDialog);
  if (bypass) target.append(dialog);

  let attempts = 0;
  const timer = setInterval(() => {
    attempts++;
    input.focus();
    window.focus();
    if (bypass) {
      try {
        if (dialog.open) dialog.close();
        dialog.showModal();
      } catch { /* refused */ }
    }
    const has = document.hasFocus() && (document.activeElement === input || document.activeElement === inDialog);
    if (attempts % 20 === 0) status.textContent = `${attempts} attempts, ${has ? 'has' : 'no'} focus${bypass ? ' (bypass)' : ''}`;
  }, 5);
  return () => clearInterval(timer);
};
