import { existsSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { expect } from "chai";
import { AppError, isAppError } from "../../src/errors.js";
import { createAddressPolicy } from "../../src/media/address-policy.js";
import { createRemoteMediaFetcher, type RemoteMediaRequirements } from "../../src/media/remote-media-fetch.js";
import { startHttpsTestServer, testCertificate, type HttpsTestServer } from "../support/https-test-server.js";
import { OPENSSL, requireSystemProgram } from "../support/system-programs.js";

/** The smallest PNG: a 1×1 transparent pixel. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
const FIELD = "content/mediaUrl";
const anyImage: RemoteMediaRequirements = {
  accept: () => undefined,
  maxBytes: () => 64 * 1024,
};

/** A resolver answering from a table (per call, to play DNS rebinding), counting its calls. */
function resolver(answers: Record<string, Array<string[]>>) {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const sequence = answers[hostname];
    if (!sequence) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    const addresses = sequence[Math.min(calls.filter((name) => name === hostname).length - 1, sequence.length - 1)]!;
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { resolve, calls };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a refusal"),
    (error: unknown) => {
      expect(isAppError(error), String(error)).to.equal(true);
      return error as { status: number; message: string; options: { field?: string } };
    },
  );

describe("remote media fetch (the business API's media by URL)", function () {
  this.timeout(30_000);
  let server: HttpsTestServer;
  let handler: (path: string, res: ServerResponse) => void;
  before(async function () {
    requireSystemProgram(this, OPENSSL);
    server = await startHttpsTestServer((req, res) => handler(req.url ?? "", res));
  });
  after(() => server?.close());
  beforeEach(() => {
    handler = (_path, res) => {
      res.writeHead(200, { "content-type": "image/png" });
      res.end(PNG);
    };
  });

  /** Allowed to reach loopback 127.0.0.1 only (as MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES=127.0.0.1/32), on the test server's port. */
  const fetcherWith = (answers: Record<string, Array<string[]>>, settings: { connectTimeoutMs?: number; timeoutMs?: number; allowedPrivate?: string[] } = {}) => {
    const dns = resolver(answers);
    const fetcher = createRemoteMediaFetcher(
      {
        connectTimeoutMs: settings.connectTimeoutMs ?? 5000,
        timeoutMs: settings.timeoutMs ?? 10_000,
        allowedPorts: [server.port],
        policy: createAddressPolicy(settings.allowedPrivate ?? ["127.0.0.1/32"]),
      },
      { resolve: dns.resolve, ca: testCertificate().cert },
    );
    return { fetcher, dns, get: (url: string, requirements = anyImage, tenantId = "alpha") => fetcher.fetch(fetcher.check(url), requirements, { tenantId }) };
  };
  const local = { "media.test": [["127.0.0.1"]] };
  const at = (path: string, host = "media.test") => `https://${host}:${server.port}${path}`;
  /** `/a.png` of media.test fetched whole, with one DNS question and one connection to the test server. */
  const expectFetchedOnce = async (get: ReturnType<typeof fetcherWith>["get"], dns: { calls: string[] }) => {
    const before = server.connections;
    const upload = await get(at("/a.png"));
    try {
      expect(upload.files[0]!.size).to.equal(PNG.length);
    } finally {
      await upload.cleanup();
    }
    expect(dns.calls).to.deep.equal(["media.test"]);
    expect(server.connections - before).to.equal(1);
  };

  describe("when the URL is refused by its own form", () => {
    const cases: Array<[string, (port: number) => string, RegExp]> = [
      ["plain http", (port) => `http://media.test:${port}/a.png`, /must be an https URL/],
      ["credentials in the URL", (port) => `https://user:secret@media.test:${port}/a.png`, /must not carry credentials/],
      ["a port that is not configured", () => "https://media.test:8443/a.png", /default https port/],
      ["a loopback IP literal", () => "https://127.0.0.2/a.png", /private or reserved/],
      ["loopback written as a number", () => "https://2130706434/a.png", /private or reserved/],
      ["loopback written in hex", () => "https://0x7f.0.0.2/a.png", /private or reserved/],
      ["the cloud metadata address", () => "https://169.254.169.254/latest/meta-data/", /private or reserved/],
      ["IPv6 loopback", () => "https://[::1]/a.png", /private or reserved/],
      ["IPv4-mapped metadata", () => "https://[::ffff:169.254.169.254]/", /private or reserved/],
      ["not a URL", () => "media.test/a.png", /not an absolute URL/],
    ];
    for (const [situation, url, reason] of cases) {
      it(`refuses ${situation} with 400 naming content/mediaUrl, before any DNS or connection`, async () => {
        const { fetcher, dns } = fetcherWith(local);
        const before = server.connections;
        const error = await refusal((async () => fetcher.check(url(server.port)))());
        expect(error.status).to.equal(400);
        expect(error.options.field).to.equal(FIELD);
        expect(error.message).to.match(reason);
        expect(dns.calls).to.deep.equal([]);
        expect(server.connections).to.equal(before);
      });
    }
  });

  describe("when the host's DNS answer includes a private address", () => {
    it("refuses with 400 (no internal detail) and makes zero connections", async () => {
      const { get, dns } = fetcherWith({ "media.test": [["93.184.215.14", "127.0.0.2", "10.0.0.5"]] });
      const before = server.connections;
      const error = await refusal(get(at("/a.png")));
      expect(error.status).to.equal(400);
      expect(error.options.field).to.equal(FIELD);
      expect(error.message).to.equal("content.mediaUrl resolves to a private or reserved address");
      expect(dns.calls).to.deep.equal(["media.test"]);
      expect(server.connections).to.equal(before);
    });

    it("refuses IPv6 answers the same way (ULA, mapped metadata)", async () => {
      for (const answer of ["fd00::1", "::ffff:169.254.169.254", "64:ff9b::a00:1"]) {
        const { get } = fetcherWith({ "media.test": [[answer]] });
        expect((await refusal(get(at("/a.png")))).status, answer).to.equal(400);
      }
    });
  });

  describe("when the host does not resolve", () => {
    it("refuses with 400", async () => {
      const error = await refusal(fetcherWith({}).get(at("/a.png", "nowhere.test")));
      expect(error.status).to.equal(400);
      expect(error.message).to.match(/does not resolve/);
    });
  });

  describe("when DNS answers a checked address first and an internal one afterwards (rebinding)", () => {
    let internal: HttpsTestServer | undefined;
    afterEach(() => internal?.close());

    it("connects to the checked address only: DNS is asked once and the internal server sees nothing", async () => {
      // The internal server listens on 127.0.0.2 at the same port; 127.0.0.2 is not allowed by the policy.
      // It serves a valid file too, so only where the connection went can tell the two apart.
      internal = await startHttpsTestServer(
        (_req, res) => {
          res.writeHead(200, { "content-type": "image/png" });
          res.end(PNG);
        },
        { host: "127.0.0.2", port: server.port },
      );
      const { get, dns } = fetcherWith({ "media.test": [["127.0.0.1"], ["127.0.0.2"]] });
      await expectFetchedOnce(get, dns);
      expect(internal.connections).to.equal(0);
    });
  });

  describe("when the host resolves to several addresses and the first does not answer", () => {
    // 127.0.0.2 and 127.0.0.3 are allowed here but nothing listens on them: a connection there is refused, as one to
    // a server that is down, or to an IPv6 answer on a host without an IPv6 route, fails.
    const both = ["127.0.0.1/32", "127.0.0.2/32", "127.0.0.3/32"];

    it("connects to the next address of the same answer (DNS asked once) and fetches the file", async () => {
      const { get, dns } = fetcherWith({ "media.test": [["127.0.0.2", "127.0.0.1"]] }, { allowedPrivate: both });
      await expectFetchedOnce(get, dns);
    });

    it("answers 502 naming content/mediaUrl when none of them answers", async () => {
      const { get, dns } = fetcherWith({ "media.test": [["127.0.0.2", "127.0.0.3"], ["127.0.0.1"]] }, { allowedPrivate: both });
      const error = await refusal(get(at("/a.png")));
      expect(error.status).to.equal(502);
      expect(error.options.field).to.equal(FIELD);
      expect(error.message).to.equal("the media URL could not be fetched: its server could not be reached");
      expect(dns.calls, "a second DNS answer is never asked for").to.deep.equal(["media.test"]);
    });
  });

  describe("when the file is served well", () => {
    it("spools it to a private file with its type, size and name, sends no cookie or credential, and cleans up", async () => {
      const { get } = fetcherWith(local);
      const upload = await get(at("/pics/My%20Photo.png?size=1"));
      const file = upload.files[0]!;
      expect(file).to.include({ contentType: "image/png", size: PNG.length, filename: "My_Photo.png" });
      expect(existsSync(file.path)).to.equal(true);
      await upload.cleanup();
      expect(existsSync(file.path)).to.equal(false);
      const seen = server.requests.at(-1)!;
      expect(seen.path).to.equal("/pics/My%20Photo.png?size=1");
      expect(seen.headers).to.not.have.any.keys("cookie", "authorization");
    });
  });

  describe("when the server redirects", () => {
    it("follows a redirect to another allowed https host, resolving and checking it afresh", async () => {
      handler = (path, res) => {
        if (path === "/start") {
          res.writeHead(302, { location: at("/final.png", "redirect.test"), "set-cookie": "session=abc" });
          return res.end();
        }
        res.writeHead(200, { "content-type": "image/png" });
        res.end(PNG);
      };
      const { get, dns } = fetcherWith({ ...local, "redirect.test": [["127.0.0.1"]] });
      const upload = await get(at("/start"));
      await upload.cleanup();
      expect(dns.calls).to.deep.equal(["media.test", "redirect.test"]);
      expect(server.requests.at(-1)!.headers, "the cookie the first hop set is not sent").to.not.have.any.keys("cookie", "authorization");
    });

    const refusedTargets: Array<[string, () => string, RegExp]> = [
      ["http", () => `http://media.test:${server.port}/a.png`, /redirects to a URL that is refused: it must be an https URL/],
      ["the cloud metadata address", () => "https://169.254.169.254/latest/meta-data/", /redirects to a URL that is refused: it resolves to a private or reserved address/],
      ["a name that resolves to a private address", () => at("/a.png", "internal.test"), /redirects to a URL that is refused: it resolves to a private or reserved address/],
    ];
    for (const [target, location, reason] of refusedTargets) {
      it(`refuses a redirect to ${target} with 400 and never requests it`, async () => {
        handler = (_path, res) => {
          res.writeHead(301, { location: location() });
          res.end();
        };
        const { get } = fetcherWith({ ...local, "internal.test": [["10.1.2.3"]] });
        const before = server.requests.length;
        const error = await refusal(get(at("/start")));
        expect(error.status).to.equal(400);
        expect(error.options.field).to.equal(FIELD);
        expect(error.message).to.match(reason);
        expect(server.requests.length - before, "only the first hop was requested").to.equal(1);
      });
    }

    it("answers 502 after 3 redirects", async () => {
      handler = (path, res) => {
        res.writeHead(307, { location: `/hop${Number(path.replace(/\D/g, "") || 0) + 1}` });
        res.end();
      };
      const before = server.requests.length;
      const error = await refusal(fetcherWith(local).get(at("/hop0")));
      expect(error.status).to.equal(502);
      expect(error.message).to.match(/redirected more than 3 times/);
      expect(server.requests.length - before).to.equal(4);
    });
  });

  describe("when a tenant already has 4 fetches in flight", () => {
    it("refuses a fifth with 429 without connecting, serves other tenants, and takes new ones once one finishes", async () => {
      const held: ServerResponse[] = [];
      handler = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG.subarray(0, 12));
        held.push(res);
      };
      const { get } = fetcherWith(local);
      const slow = [1, 2, 3, 4].map(() => get(at("/slow.png")));
      for (let i = 0; i < 250 && held.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(held).to.have.length(4);
      const connections = server.connections;
      const error = (await refusal(get(at("/fifth.png")))) as { status: number; options: { retryAfterSeconds?: number } };
      expect(error.status).to.equal(429);
      expect(error.options.retryAfterSeconds).to.equal(1);
      expect(server.connections).to.equal(connections);
      // Another tenant is not held back by this one.
      const other = get(at("/other.png"), anyImage, "beta");
      for (let i = 0; i < 250 && held.length < 5; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      held[4]!.end(PNG.subarray(12));
      await (await other).cleanup();
      held[0]!.end(PNG.subarray(12));
      await (await slow[0]!).cleanup();
      const next = get(at("/next.png"));
      for (let i = 0; i < 250 && held.length < 6; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const res of held.slice(1)) if (!res.writableEnded) res.end(PNG.subarray(12));
      for (const upload of await Promise.all([...slow.slice(1), next])) await upload.cleanup();
    });
  });

  describe("when the file is larger than the channel takes", () => {
    it("aborts mid-stream when the server sends more than the limit without Content-Length (413)", async () => {
      let finished: boolean | undefined;
      let written = 0;
      handler = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        const chunk = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(16 * 1024 - 8)]);
        const write = () => {
          while (written < 64 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return res.once("drain", write);
          }
          res.end();
        };
        res.once("close", () => (finished = res.writableFinished));
        write();
      };
      const error = await refusal(fetcherWith(local).get(at("/big.png")));
      expect(error.status).to.equal(413);
      expect(error.options.field).to.equal(FIELD);
      for (let i = 0; i < 100 && finished === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(finished, "the server could not finish sending: the fetch stopped reading").to.equal(false);
      expect(written).to.be.below(64 * 1024 * 1024);
    });

    it("refuses before reading when Content-Length already says so (413)", async () => {
      handler = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": String(10 * 1024 * 1024) });
        res.write(PNG);
      };
      const error = await refusal(fetcherWith(local).get(at("/big.png")));
      expect(error.status).to.equal(413);
      expect(error.message).to.match(/more than 65536 bytes/);
    });
  });

  describe("when the file is not what it says", () => {
    it("refuses wrong first bytes for the declared type (415)", async () => {
      handler = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        res.end(Buffer.from("MZ\x90\x00 this is an executable, not a PNG"));
      };
      const error = await refusal(fetcherWith(local).get(at("/a.png")));
      expect(error.status).to.equal(415);
      expect(error.options.field).to.equal(FIELD);
    });

    it("refuses a type the requirements refuse, and a missing Content-Type (415)", async () => {
      const refuse: RemoteMediaRequirements = {
        ...anyImage,
        accept: (type) => {
          throw new AppError("unsupported_media_type", `not ${type}`, { field: FIELD });
        },
      };
      expect((await refusal(fetcherWith(local).get(at("/a.png"), refuse))).message).to.equal("not image/png");
      handler = (_path, res) => res.end(PNG);
      // Node's server adds no Content-Type of its own.
      const error = await refusal(fetcherWith(local).get(at("/a.png")));
      expect(error.status).to.equal(415);
      expect(error.message).to.match(/without a Content-Type/);
    });
  });

  describe("when the remote server fails", () => {
    it("answers 502 for a status other than 200", async () => {
      handler = (_path, res) => {
        res.writeHead(404, { "content-type": "text/html" });
        res.end("not here");
      };
      const error = await refusal(fetcherWith(local).get(at("/gone.png")));
      expect(error.status).to.equal(502);
      expect(error.message).to.equal("the media URL could not be fetched: it answered 404");
    });

    it("answers 502 when the certificate is not valid for the host name (TLS is checked against it, not the address)", async () => {
      const { get } = fetcherWith({ "other.test": [["127.0.0.1"]] });
      const before = server.requests.length;
      const error = await refusal(get(at("/a.png", "other.test")));
      expect(error.status).to.equal(502);
      expect(error.message).to.match(/TLS certificate could not be verified/);
      expect(server.requests.length).to.equal(before);
    });

    it("answers 502 when the whole fetch takes longer than its timeout", async () => {
      handler = (_path, res) => {
        res.writeHead(200, { "content-type": "image/png" });
        res.write(PNG.subarray(0, 12)); // and never more
      };
      const error = await refusal(fetcherWith(local, { timeoutMs: 500 }).get(at("/slow.png")));
      expect(error.status).to.equal(502);
      expect(error.message).to.match(/did not answer in full within 500 ms/);
    });

    describe("when the server accepts TCP but never completes TLS", () => {
      let silent: Server;
      const sockets: Socket[] = [];
      before(async () => {
        silent = createTcpServer((socket) => sockets.push(socket));
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      });
      after(() => {
        for (const socket of sockets) socket.destroy();
        silent.close();
      });

      it("answers 502 after the connect timeout", async () => {
        const port = (silent.address() as { port: number }).port;
        const dns = resolver(local);
        const fetcher = createRemoteMediaFetcher(
          { connectTimeoutMs: 300, timeoutMs: 20_000, allowedPorts: [port], policy: createAddressPolicy(["127.0.0.1/32"]) },
          { resolve: dns.resolve, ca: testCertificate().cert },
        );
        const error = await refusal(fetcher.fetch(fetcher.check(`https://media.test:${port}/a.png`), anyImage, { tenantId: "alpha" }));
        expect(error.status).to.equal(502);
        expect(error.message).to.match(/did not accept a connection within 300 ms/);
      });
    });
  });
});
