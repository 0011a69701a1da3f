import { expect } from "chai";
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { stepNockAside } from "./loopback-only.js";

describe("loopbackOnly (the network guard of a test that steps nock aside)", () => {
  let restore: () => void;
  beforeEach(() => {
    restore = stepNockAside();
  });
  afterEach(() => restore());

  it("refuses a connection to an address off the machine, by http and by fetch, before any packet leaves", async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): nothing answers there, so only the guard can refuse at once.
    const byFetch = await fetch("http://192.0.2.1/").then(
      () => "answered",
      (error: Error & { cause?: Error }) => String(error.cause?.message ?? error.message),
    );
    expect(byFetch).to.match(/not loopback/);
    const byHttp = await new Promise<string>((resolve) => {
      const request = get("http://192.0.2.1/", () => resolve("answered"));
      request.on("error", (error) => resolve(error.message));
    });
    expect(byHttp).to.match(/not loopback/);
  });

  it("lets loopback through", async () => {
    const server = createServer((_, response) => response.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).to.equal("ok");
    } finally {
      server.close();
    }
  });
});
