/**
 * The answers of a type-ahead, kept only for the text in the box: a search answered after
 * the user typed on is dropped, so it can neither replace the list nor be picked (pure,
 * unit-tested).
 */
export class LatestAnswer<T> {
  private asked = "";
  private answeredFor: string | null = null;
  items: T[] = [];

  /** The user typed: whatever was answered before is for another text. */
  ask(text: string): void {
    this.asked = text;
  }

  /** Keep an answer to `text` only if it is what the box holds now (`now`); says whether it was kept. */
  accept(text: string, items: T[], now: string): boolean {
    if (text !== now) return false;
    this.asked = now;
    this.items = items;
    this.answeredFor = text;
    return true;
  }

  /** Whether the items shown answer what the box holds now (else Enter must not pick from them). */
  current(now: string): boolean {
    return this.answeredFor === now && this.asked === now;
  }
}
