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
    await this.validate();
  }

  async validate(): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.text);
    } catch (e) {
      this.#fail(`This is not valid JSON: ${e instanceof Error ? e.message : 'parse error'}.`);
      return;
    }
    this.busy = true;
    try {
      await themesApi.validate(parsed);
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
