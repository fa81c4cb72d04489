export interface MenuItem {
  id: string;
  label: string;
  icon?: string;
  /** Secondary text (e.g. plugin name). */
  hint?: string;
  testid?: string;
  /** A heading shown above the first item of each section (e.g. "Administration"). */
  section?: string;
  /** A rule above this item, setting it apart (e.g. "Log out", "Remove from board"). */
  separated?: boolean;
  /** Marks the current choice (board switcher). */
  checked?: boolean;
  disabled?: boolean;
  onSelect: () => void;
  /** The item is under the pointer or focused: a hint of what comes next (e.g. preload a card). */
  onHighlight?: () => void;
}

/** One row of a ProblemTable: where the problem is (pointer, file or both) and what it is. */
export interface ProblemRow {
  code?: string;
  where: string;
  message: string;
}
