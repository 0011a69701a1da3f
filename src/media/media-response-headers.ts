/** Types a browser shows inline without running anything; everything else is served as a download. */
const INLINE = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/|application\/pdf$)/;

/**
 * Headers of a media download. A customer's file is untrusted content served from the API's origin: it is never
 * cached by shared caches, never sniffed, and never run (a sandboxing CSP; HTML and SVG arrive as attachments).
 */
export function mediaResponseHeaders(media: { contentType: string; size: number | undefined; filename: string | null }): Record<string, string> {
  const name = media.filename ?? "media";
  const disposition = INLINE.test(media.contentType) ? "inline" : "attachment";
  return {
    ...(media.size !== undefined ? { "Content-Length": String(media.size) } : {}),
    "Content-Disposition": `${disposition}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "X-Content-Type-Options": "nosniff",
  };
}
