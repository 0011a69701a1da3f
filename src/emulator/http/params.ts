/** Form or query parameters; repeated keys (`Filters=a&Filters=b`) keep every value. */
export class Params {
  constructor(private readonly search: URLSearchParams) {}

  static parse(text: string): Params {
    return new Params(new URLSearchParams(text));
  }

  get(name: string): string | undefined {
    return this.search.get(name) ?? undefined;
  }

  all(name: string): string[] {
    return this.search.getAll(name);
  }

  has(name: string): boolean {
    return this.search.has(name);
  }

  int(name: string): number | undefined {
    const value = this.get(name);
    return value === undefined || !/^-?\d+$/.test(value) ? undefined : Number(value);
  }

  /** Plain object for logs: a key sent once maps to a string, a repeated key to an array. */
  toRecord(): Record<string, string | string[]> {
    const record: Record<string, string | string[]> = {};
    for (const key of new Set(this.search.keys())) {
      const values = this.search.getAll(key);
      record[key] = values.length === 1 ? values[0]! : values;
    }
    return record;
  }
}
