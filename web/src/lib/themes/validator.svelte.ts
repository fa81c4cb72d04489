import { ApiError, type Problem } from '../api/client';
import { themesApi } from './api';

/** Largest theme file the validator reads (a theme is a small token map). */
export const MAX_THEME_BYTES = 256 * 1024;

/** The admin's "validate a theme file" panel: paste or pick JSON, see every pointer error. */
export class ThemeValidatorState {
  text = $state('');
  busy = $state(false);
  /** null = not checked yet. */
  valid = $state<boolean | null>(null);
  error = $state<string | null>(null);
  problems = $state.raw<Problem[]>([]);

  async readFile(file: File): Promise<void> {
    if (file.size > MAX_THEME_BYTES) {
      this.#fail(`“${file.name}” is ${Math.ceil(file.size / 1024)} KB; a theme file is at most 256 KB.`);
      return;
    }
    this.text = await file.text();
    // The file's own bytes, not the decoded text: decoding drops a BOM and repairs bad UTF-8.
    await this.#check(file);
  }

  async validate(): Promise<void> {
    await this.#check(this.text);
  }

  /** The host is the one judge (its JSON reading refuses duplicate keys a JSON.parse here would merge). */
  async #check(source: string | Blob): Promise<void> {
    this.busy = true;
    try {
      await themesApi.validate(source);
      this.valid = true;
      this.error = null;
      this.problems = [];
    } catch (e) {
      if (e instanceof ApiError) this.#fail(e.detail, e.problems);
      else this.#fail('The theme could not be checked.');
    } finally {
      this.busy = false;
    }
  }

  #fail(message: string, problems: Problem[] = []): void {
    this.valid = false;
    this.error = message;
    this.problems = problems;
  }
}
