import { tick } from 'svelte';

/** Open state and keyboard behaviour of a menu button (WAI-ARIA menu button pattern). */
export class MenuState {
  open = $state(false);
  trigger: HTMLButtonElement | null = null;
  list: HTMLElement | null = null;

  #items(): HTMLElement[] {
    return this.list ? [...this.list.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([disabled])')] : [];
  }

  async show(focus: 'first' | 'last' = 'first'): Promise<void> {
    this.open = true;
    await tick();
    const items = this.#items();
    (focus === 'first' ? items[0] : items[items.length - 1])?.focus();
  }

  hide(returnFocus = true): void {
    if (!this.open) return;
    this.open = false;
    if (returnFocus) this.trigger?.focus();
  }

  toggle(): void {
    if (this.open) this.hide();
    else void this.show();
  }

  onTriggerKeydown = (e: KeyboardEvent): void => {
    if (e.key === 'ArrowDown' || e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      void this.show('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      void this.show('last');
    }
  };

  onMenuKeydown = (e: KeyboardEvent): void => {
    const items = this.#items();
    const i = items.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => {
      e.preventDefault();
      items[(n + items.length) % items.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return go(i + 1);
      case 'ArrowUp':
        return go(i - 1);
      case 'Home':
        return go(0);
      case 'End':
        return go(items.length - 1);
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        return this.hide();
      case 'Tab':
        return this.hide(false);
    }
  };

  /** Closes on a press outside the trigger and the list. */
  onWindowPointerDown = (e: PointerEvent): void => {
    if (!this.open) return;
    const t = e.target as Node | null;
    if (t && (this.trigger?.contains(t) || this.list?.contains(t))) return;
    this.hide(false);
  };
}
