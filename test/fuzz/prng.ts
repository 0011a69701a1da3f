/**
 * A seeded PRNG (mulberry32, public domain: https://gist.github.com/tommyettinger/46a874533244883189143505d203312c),
 * so every fuzz run sends the same requests and a failure replays exactly.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `length` characters drawn from `alphabet` (code points, so astral characters stay whole). */
  string(length: number, alphabet: string): string {
    const chars = [...alphabet];
    return Array.from({ length }, () => this.pick(chars)).join("");
  }

  /** The first `first` items, then `more` drawn from the rest without repeats, in their original order. */
  some<T>(items: readonly T[], first: number, more: number): T[] {
    const rest = items.slice(first).map((item, index) => ({ item, index, key: this.next() }));
    const drawn = rest.sort((a, b) => a.key - b.key).slice(0, more).sort((a, b) => a.index - b.index);
    return [...items.slice(0, first), ...drawn.map(({ item }) => item)];
  }

  hex(length: number): string {
    return this.string(length, "0123456789abcdef");
  }
}
