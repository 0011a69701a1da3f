import { invalidParameter } from "../twilio-error.js";
import type { Params } from "./params.js";

export interface PageRequest {
  pageSize: number;
  page: number;
  offset: number;
  pageToken: string | undefined;
}

const DEFAULT_PAGE_SIZE = 50;

/** Reads PageSize/Page/PageToken; PageSize is capped at `maxPageSize` like Twilio's lists. */
export function readPage(query: Params, maxPageSize: number): PageRequest {
  const rawSize = query.int("PageSize");
  if (query.has("PageSize") && (rawSize === undefined || rawSize < 1)) {
    throw invalidParameter("PageSize must be a positive integer");
  }
  const pageSize = Math.min(rawSize ?? DEFAULT_PAGE_SIZE, maxPageSize);
  const page = Math.max(query.int("Page") ?? 0, 0);
  const pageToken = query.get("PageToken");
  const tokenOffset = pageToken ? decodeToken(pageToken) : undefined;
  return { pageSize, page, offset: tokenOffset ?? page * pageSize, pageToken };
}

/** Page tokens are opaque to clients; here they carry the offset ("PT" + offset in hex). */
export function encodeToken(offset: number): string {
  return `PT${offset.toString(16)}`;
}

function decodeToken(token: string): number {
  const match = /^PT([0-9a-f]+)$/.exec(token);
  if (!match) throw invalidParameter(`Invalid PageToken: ${token}`);
  return parseInt(match[1]!, 16);
}

function pageUrl(base: string, filters: [string, string][], size: number, page: number, token?: string) {
  const search = new URLSearchParams(filters);
  search.set("PageSize", String(size));
  search.set("Page", String(page));
  if (token !== undefined) search.set("PageToken", token);
  return `${base}?${search.toString()}`;
}

/** Conversations v1 list body: `{ [key]: items, meta: { page, page_size, …urls, key } }`. */
export function pageV1<T, J>(
  items: T[],
  request: PageRequest,
  options: { url: string; key: string; filters?: [string, string][]; toJson: (item: T) => J },
) {
  const { pageSize, page, offset } = request;
  const filters = options.filters ?? [];
  const slice = items.slice(offset, offset + pageSize);
  const hasNext = offset + pageSize < items.length;
  const hasPrevious = page > 0 && offset > 0;
  return {
    [options.key]: slice.map(options.toJson),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(options.url, filters, pageSize, 0),
      previous_page_url: hasPrevious
        ? pageUrl(options.url, filters, pageSize, page - 1, encodeToken(Math.max(offset - pageSize, 0)))
        : null,
      url: pageUrl(options.url, filters, pageSize, page, request.pageToken),
      next_page_url: hasNext
        ? pageUrl(options.url, filters, pageSize, page + 1, encodeToken(offset + pageSize))
        : null,
      key: options.key,
    },
  };
}

/** Api 2010 list body: top-level page fields with URIs relative to https://api.twilio.com. */
export function page2010<T, J>(
  items: T[],
  request: PageRequest,
  options: { uri: string; key: string; filters?: [string, string][]; toJson: (item: T) => J },
) {
  const { pageSize, page, offset } = request;
  const filters = options.filters ?? [];
  const slice = items.slice(offset, offset + pageSize);
  const hasNext = offset + pageSize < items.length;
  return {
    [options.key]: slice.map(options.toJson),
    end: offset + Math.max(slice.length - 1, 0),
    first_page_uri: pageUrl(options.uri, filters, pageSize, 0),
    next_page_uri: hasNext
      ? pageUrl(options.uri, filters, pageSize, page + 1, encodeToken(offset + pageSize))
      : null,
    page,
    page_size: pageSize,
    previous_page_uri:
      page > 0 && offset > 0
        ? pageUrl(options.uri, filters, pageSize, page - 1, encodeToken(Math.max(offset - pageSize, 0)))
        : null,
    start: offset,
    uri: pageUrl(options.uri, filters, pageSize, page, request.pageToken),
  };
}
