/** What an index built from Twilio on first use says of itself (the organization inbox's search status shows it). */
export interface IndexBuildStats {
  documents: number;
  buildMs: number;
  builtAt: string | undefined;
  upstreamCalls: number;
}

/**
 * The life of an index built from Twilio on first use: one build at a time, shared by whoever needs it meanwhile;
 * a change heard while the build runs (its pages may predate the change) waits and is applied, in the order heard,
 * once the build is done; a change heard before any build is dropped (the build will read its result).
 */
export class BuiltOnFirstUse {
  private building: Promise<void> | undefined;
  private built = false;
  private pending: Array<() => void> = [];
  readonly stats: IndexBuildStats = { documents: 0, buildMs: 0, builtAt: undefined, upstreamCalls: 0 };

  /**
   * `build` fills the index and answers how many Twilio calls it made; `documents` counts what the index holds.
   */
  constructor(
    private readonly build: () => Promise<number>,
    private readonly documents: () => number,
    private readonly onBuilt?: () => void,
  ) {}

  ensureBuilt(): Promise<void> {
    if (this.built) return Promise.resolve();
    this.building ??= this.run().finally(() => (this.building = undefined));
    return this.building;
  }

  /** Runs `change` on the built index, or after the build under way; not built: nothing to change. */
  whenBuilt(change: () => void): void {
    if (this.built) {
      change();
      this.stats.documents = this.documents();
    } else if (this.building) this.pending.push(change);
  }

  private async run(): Promise<void> {
    const started = performance.now();
    const calls = await this.build();
    this.built = true;
    for (const change of this.pending.splice(0)) change();
    this.stats.documents = this.documents();
    this.stats.buildMs = Math.round(performance.now() - started);
    this.stats.builtAt = new Date().toISOString();
    this.stats.upstreamCalls = calls;
    this.onBuilt?.();
  }
}
