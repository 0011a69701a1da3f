import net from "node:net";
import nock from "nock";
import { guardNetwork } from "./network-guard.js";

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\])$/;

/** The host a `Socket#connect` call names; undefined for a local (IPC) path, which never leaves the machine. */
function hostOf(args: unknown[]): string | undefined {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]; // net.connect() passes its normalised [options, callback]
  if (typeof first === "string") return undefined;
  if (typeof first === "number") return typeof args[1] === "string" ? args[1] : "localhost";
  const options = (first ?? {}) as { host?: string; path?: string | null };
  if (options.path) return undefined; // as net.Socket#connect decides: a path (http.Agent passes null) means IPC
  return options.host ?? "localhost";
}

/**
 * Refuses every TCP connection that is not to loopback, checked once per connect (nock's guard, in
 * network-guard.ts, also parses every byte of every loopback exchange). For a test that steps nock aside because of
 * that cost (`nock.restore()`), so it still cannot reach the internet. Returns the function that removes it.
 */
export function loopbackOnly(): () => void {
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const host = hostOf(args);
    if (host !== undefined && !LOOPBACK.test(host)) {
      process.nextTick(() => this.destroy(new Error(`test network guard: ${host} is not loopback`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return () => {
    net.Socket.prototype.connect = original;
  };
}

/**
 * Steps nock aside for tests whose traffic its interceptor cannot carry or pay for (it decodes every byte of every
 * exchange), keeping them on loopback with `loopbackOnly`. Returns the function that puts nock and the suite's guard back.
 */
export function stepNockAside(): () => void {
  nock.restore();
  const restore = loopbackOnly();
  return () => {
    restore();
    nock.activate();
    guardNetwork();
  };
}
