/** One REST exchange with the emulator, as seen on the wire. */
export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  form: Record<string, string | string[]>;
  headers: Record<string, string>;
  status: number;
  responseBody: unknown;
  accountSid: string | null;
}

/** Every REST exchange (control endpoints excluded), in order. */
export class RequestLog {
  readonly entries: Exchange[] = [];

  add(exchange: Exchange): void {
    this.entries.push(exchange);
  }

  count(filter?: (exchange: Exchange) => boolean): number {
    return filter ? this.entries.filter(filter).length : this.entries.length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
