/**
 * Facts other instances apply to their own in-memory state (scaled out: the cache bus, src/scale-out/). Without
 * Redis there is no other instance and nothing is shared.
 */
export interface SharedFacts {
  /**
   * Subscribes `apply` to the facts other instances publish under `name` (one subscriber per name) and answers the
   * function publishing this instance's facts (batched, in order). `resync` is called when facts may have been
   * missed (the bus reconnected): drop what may be stale.
   */
  topic<T>(name: string, apply: (fact: T) => void, resync?: () => void): (fact: T) => void;
}
