/** A route found for a request: what was registered for it and its path parameters (decoded). */
export interface RouteMatch<T> {
  route: T;
  /** The registered path, e.g. `/api/v1/chat/conversations/:sid` (the metrics' and logs' route label). */
  path: string;
  params: Record<string, string>;
}

interface Entry<T> {
  route: T;
  path: string;
  regexp: RegExp;
  names: string[];
}

/**
 * The operations' paths, matched as @koa/router matches them (path-to-regexp's defaults: case-insensitive, one
 * optional trailing slash, `:name` is one non-empty segment, the first route registered wins; a GET route answers
 * HEAD), without its per-request work: a request for a path with no parameters is one Map lookup, and nothing is
 * composed per request. A CPU profile of the warm list put @koa/router's match and compose at ≈ 6 % of the server.
 */
export class RouteTable<T> {
  private readonly entries = new Map<string, Array<Entry<T>>>();
  /** Per method: a path as registered (and with a trailing slash) → the first route matching it. */
  private readonly exact = new Map<string, Map<string, Entry<T>>>();

  add(method: string, path: string, route: T): void {
    const names: string[] = [];
    const source = path.replace(/:(\w+)|[.*+?^${}()|[\]\\/]/g, (token, name?: string) => {
      if (!name) return `\\${token}`;
      names.push(name);
      return "([^\\/]+)";
    });
    const entry: Entry<T> = { route, path, regexp: new RegExp(`^(?:${source})(?:\\/$)?$`, "i"), names };
    for (const verb of method.toUpperCase() === "GET" ? ["GET", "HEAD"] : [method.toUpperCase()]) {
      const list = this.entries.get(verb) ?? [];
      list.push(entry);
      this.entries.set(verb, list);
      if (names.length > 0) continue;
      const exact = this.exact.get(verb) ?? new Map<string, Entry<T>>();
      this.exact.set(verb, exact);
      // The first route matching this path wins, even if a route with parameters registered earlier matches it.
      const winner = list.find((candidate) => candidate.regexp.test(path))!;
      for (const key of [path, `${path}/`]) if (!exact.has(key)) exact.set(key, winner);
    }
  }

  match(method: string, path: string): RouteMatch<T> | undefined {
    const entry = this.exact.get(method)?.get(path) ?? this.entries.get(method)?.find((candidate) => candidate.regexp.test(path));
    if (!entry) return undefined;
    const params: Record<string, string> = {};
    if (entry.names.length > 0) {
      const captures = entry.regexp.exec(path)!;
      entry.names.forEach((name, index) => (params[name] = safeDecode(captures[index + 1]!)));
    }
    return { route: entry.route, path: entry.path, params };
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
