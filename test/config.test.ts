import { expect } from "chai";
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig, type Config } from "../src/config.js";

const ACCOUNT_SID = `AC${"a".repeat(32)}`;
const SERVICE_SID = `IS${"b".repeat(32)}`;
const API_KEY_SID = `SK${"c".repeat(32)}`;
const AUTH_TOKEN = "auth-token-0123456789abcdef-SECRET";
const JWT_SECRET = "jwt-secret-0123456789abcdef-0123456789";

/** The environment of a real deployment: one Twilio account and a proper JWT secret. */
const production = (extra: Record<string, string | undefined> = {}) => ({
  NODE_ENV: "production",
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  TWILIO_CHAT_SERVICE_SID: SERVICE_SID,
  JWT_SECRET,
  PUBLIC_BASE_URL: "https://inbox.example.com",
  ...extra,
});

/** Calls `load` expecting a ConfigError, and returns it. */
function configErrorOf(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  expect.fail("expected a ConfigError");
}

const tenantsFile = (entries: object[]) => () => JSON.stringify(entries);
const tenantEntry = (overrides: object = {}) => ({
  id: "acme",
  accountSid: ACCOUNT_SID,
  authTokenEnv: "ACME_AUTH_TOKEN",
  conversationsServiceSid: SERVICE_SID,
  ...overrides,
});

describe("loadConfig", () => {
  describe("when the environment is empty", () => {
    it("applies the documented defaults and runs against the emulator", () => {
      const config = loadConfig({});

      expect(config).to.deep.include({
        environment: "development",
        port: 3000,
        host: "0.0.0.0",
        logLevel: "info",
        twilioMode: "emulator",
        defaultTenantId: "default",
        tenants: [],
        bodyLimitBytes: 1024 * 1024,
        conversationIndexLimit: 5000,
        conversationUpdateIntervalMs: 250,
        feedBatchMs: 1000,
      });
      expect(config.cache).to.deep.equal({ maxEntries: 50000, maxBytes: 128 * 1024 * 1024, ttlMs: 600000 });
      expect(config.upstream).to.deep.equal({
        timeoutMs: 10000,
        maxRetries: 3,
        retryBaseMs: 200,
        maxRetryDelayMs: 5000,
        concurrencyPerTenant: 16,
        maxInFlight: 64,
        conversationWritesPerSecond: 25,
        breakerResetMs: 5000,
        breakerVolumeThreshold: 20,
      });
      expect(config.emulator).to.deep.equal({ seedDemoData: true, latencyMs: 0 });
      expect(config.jwt).to.deep.include({ algorithm: "HS256", verificationKey: DEVELOPMENT_JWT_SECRET, usesDevelopmentSecret: true });
      expect(config.publicBaseUrl).to.equal(undefined);
      expect(config.metricsListener).to.deep.equal({ port: 9464, host: "127.0.0.1" });
      expect(config.http).to.deep.equal({ requestTimeoutMs: 30000, headersTimeoutMs: 10000, keepAliveTimeoutMs: 5000 });
      expect(config.jwt.maxLifetimeSeconds).to.equal(24 * 60 * 60);
    });
  });

  describe("when METRICS_PORT is 0", () => {
    it("serves no operator endpoints", () => {
      expect(loadConfig({ METRICS_PORT: "0" }).metricsListener).to.equal(undefined);
    });
  });

  describe("when the media fetch is not configured", () => {
    it("reaches public addresses on 443 only, with a 5 s connect and 30 s total timeout", () => {
      expect(loadConfig({}).mediaFetch).to.deep.equal({ connectTimeoutMs: 5000, timeoutMs: 30000, allowedPorts: [], allowedPrivateAddresses: [] });
    });
  });

  describe("when MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES and MEDIA_FETCH_ALLOWED_PORTS are set", () => {
    it("reads the blocks and ports", () => {
      const config = loadConfig({ MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES: "127.0.0.1/32, ::1", MEDIA_FETCH_ALLOWED_PORTS: "8443,9443" });
      expect(config.mediaFetch).to.deep.include({ allowedPrivateAddresses: ["127.0.0.1/32", "::1"], allowedPorts: [8443, 9443] });
    });
  });

  describe("when HEADERS_TIMEOUT_MS exceeds REQUEST_TIMEOUT_MS", () => {
    it("throws a ConfigError naming HEADERS_TIMEOUT_MS", () => {
      const error = configErrorOf(() => loadConfig({ REQUEST_TIMEOUT_MS: "5000", HEADERS_TIMEOUT_MS: "6000" }));

      expect(error.variable).to.equal("HEADERS_TIMEOUT_MS");
    });
  });

  describe("when values are given as strings", () => {
    it("coerces numbers and booleans and trims trailing slashes from URLs", () => {
      const config = loadConfig({
        PORT: "8080",
        CACHE_TTL_MS: "1500",
        EMULATOR_SEED: "false",
        PUBLIC_BASE_URL: "https://inbox.example.com/",
        TWILIO_API_BASE_URL: "http://127.0.0.1:4010//",
        HOST: "",
      });

      expect(config.port).to.equal(8080);
      expect(config.cache.ttlMs).to.equal(1500);
      expect(config.emulator.seedDemoData).to.equal(false);
      expect(config.publicBaseUrl).to.equal("https://inbox.example.com");
      expect(config.twilioApiBaseUrl).to.equal("http://127.0.0.1:4010");
      expect(config.host).to.equal("0.0.0.0");
    });
  });

  describe("when not in production and no Twilio credentials are set", () => {
    it("selects emulator mode", () => {
      const config = loadConfig({ NODE_ENV: "test", JWT_SECRET });

      expect(config.twilioMode).to.equal("emulator");
      expect(config.tenants).to.deep.equal([]);
      expect(config.jwt.usesDevelopmentSecret).to.equal(false);
    });
  });

  describe("when Twilio credentials are set", () => {
    it("builds the default tenant from them", () => {
      const config = loadConfig(
        production({ TWILIO_PHONE_NUMBER: "+15005550006", TWILIO_WHATSAPP_NUMBER: "+15005550007", DEFAULT_TENANT_ID: "main" }),
      );

      expect(config.twilioMode).to.equal("twilio");
      expect(config.tenants).to.deep.equal([
        {
          id: "main",
          accountSid: ACCOUNT_SID,
          authToken: AUTH_TOKEN,
          apiKey: undefined,
          conversationsServiceSid: SERVICE_SID,
          phoneNumber: "+15005550006",
          whatsappNumber: "whatsapp:+15005550007",
          sendgrid: undefined,
        },
      ]);
    });

    it("uses an API key when both halves are given", () => {
      const config = loadConfig(production({ TWILIO_API_KEY: API_KEY_SID, TWILIO_API_SECRET: "api-secret" }));

      expect(config.tenants[0]!.apiKey).to.deep.equal({ sid: API_KEY_SID, secret: "api-secret" });
    });

    it("refuses an API key without its secret, naming TWILIO_API_SECRET", () => {
      const error = configErrorOf(() => loadConfig(production({ TWILIO_API_KEY: API_KEY_SID })));

      expect(error.variable).to.equal("TWILIO_API_SECRET");
    });

    it("refuses an auth token without an account SID, naming TWILIO_ACCOUNT_SID", () => {
      const error = configErrorOf(() => loadConfig({ TWILIO_AUTH_TOKEN: AUTH_TOKEN }));

      expect(error.variable).to.equal("TWILIO_ACCOUNT_SID");
    });

    it("refuses an account SID without a service SID, naming TWILIO_CHAT_SERVICE_SID", () => {
      const error = configErrorOf(() => loadConfig(production({ TWILIO_CHAT_SERVICE_SID: undefined })));

      expect(error.variable).to.equal("TWILIO_CHAT_SERVICE_SID");
    });
  });

  describe("when in production", () => {
    it("refuses to start without Twilio credentials, naming TWILIO_ACCOUNT_SID", () => {
      const error = configErrorOf(() => loadConfig({ NODE_ENV: "production", JWT_SECRET }));

      expect(error.variable).to.equal("TWILIO_ACCOUNT_SID");
      expect(error.message).to.match(/^TWILIO_ACCOUNT_SID: /);
    });

    it("refuses to start without JWT_SECRET", () => {
      const error = configErrorOf(() => loadConfig(production({ JWT_SECRET: undefined })));

      expect(error.variable).to.equal("JWT_SECRET");
    });

    it("refuses the development JWT secret", () => {
      const error = configErrorOf(() => loadConfig(production({ JWT_SECRET: DEVELOPMENT_JWT_SECRET })));

      expect(error.variable).to.equal("JWT_SECRET");
    });

    it("refuses a JWT secret shorter than 32 characters", () => {
      const error = configErrorOf(() => loadConfig(production({ JWT_SECRET: "too-short" })));

      expect(error.variable).to.equal("JWT_SECRET");
    });

    it("accepts an RS256 public key instead of a secret", () => {
      const config = loadConfig(
        production({ JWT_SECRET: undefined, JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----" }),
      );

      expect(config.jwt).to.deep.include({
        algorithm: "RS256",
        verificationKey: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
        usesDevelopmentSecret: false,
      });
    });

    it("refuses to start without PUBLIC_BASE_URL, naming it (webhook signatures would rest on the Host header)", () => {
      const error = configErrorOf(() => loadConfig(production({ PUBLIC_BASE_URL: undefined })));

      expect(error.variable).to.equal("PUBLIC_BASE_URL");
      expect(error.message).to.match(/^PUBLIC_BASE_URL: is required in production/);
    });

    it("starts with credentials and a proper secret", () => {
      const config = loadConfig(production());

      expect(config.environment).to.equal("production");
      expect(config.jwt).to.deep.include({ algorithm: "HS256", verificationKey: JWT_SECRET, usesDevelopmentSecret: false });
    });
  });

  describe("when both JWT_SECRET and JWT_PUBLIC_KEY are set", () => {
    it("refuses, naming JWT_SECRET", () => {
      const error = configErrorOf(() => loadConfig({ JWT_SECRET, JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----" }));

      expect(error.variable).to.equal("JWT_SECRET");
    });
  });

  const invalidValues: Array<[string, string]> = [
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["NODE_ENV", "staging"],
    ["TWILIO_ACCOUNT_SID", "AC123"],
    ["TWILIO_ACCOUNT_SID", `XX${"a".repeat(32)}`],
    ["TWILIO_CHAT_SERVICE_SID", `CH${"a".repeat(32)}`],
    ["TWILIO_PHONE_NUMBER", "555-0100"],
    ["PUBLIC_BASE_URL", "inbox.example.com"],
    ["PUBLIC_BASE_URL", "ftp://inbox.example.com"],
    ["PUBLIC_BASE_URL", "https://"],
    ["PUBLIC_BASE_URL", "https://inbox.example.com/?tenant=alpha"],
    ["PUBLIC_BASE_URL", "https://inbox.example.com/?"],
    ["PUBLIC_BASE_URL", "https://inbox.example.com/#webhooks"],
    ["PUBLIC_BASE_URL", "https://user:password@inbox.example.com"],
    ["CACHE_MAX_BYTES", "10"],
    ["UPSTREAM_MAX_RETRIES", "11"],
    ["DEFAULT_TENANT_ID", "Has Spaces"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["METRICS_PORT", "70000"],
    ["REQUEST_TIMEOUT_MS", "10"],
    ["JWT_MAX_LIFETIME_SECONDS", "-1"],
    ["MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES", "127.0.0.1/33"],
    ["MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES", "localhost"],
    ["MEDIA_FETCH_ALLOWED_PORTS", "0"],
    ["MEDIA_FETCH_ALLOWED_PORTS", "443,http"],
    ["MEDIA_FETCH_TIMEOUT_MS", "10"],
  ];
  for (const [variable, value] of invalidValues) {
    describe(`when ${variable} is ${JSON.stringify(value)}`, () => {
      it(`throws a ConfigError naming ${variable}`, () => {
        const error = configErrorOf(() => loadConfig({ [variable]: value }));

        expect(error.variable).to.equal(variable);
        expect(error.message.startsWith(`${variable}: `)).to.equal(true);
      });
    });
  }

  describe("when TENANTS_FILE is set", () => {
    it("reads the file through the injected reader and resolves secrets from the environment by name", () => {
      const read: string[] = [];
      const config = loadConfig(
        { TENANTS_FILE: "/etc/switchboard/tenants.json", ACME_AUTH_TOKEN: AUTH_TOKEN, ACME_API_SECRET: "acme-api-secret" },
        (path) => {
          read.push(path);
          return JSON.stringify([
            tenantEntry({
              name: "Acme",
              apiKeySid: API_KEY_SID,
              apiSecretEnv: "ACME_API_SECRET",
              phoneNumber: "+15005550010",
              whatsappNumber: "whatsapp:+15005550011",
            }),
          ]);
        },
      );

      expect(read).to.deep.equal(["/etc/switchboard/tenants.json"]);
      expect(config.twilioMode).to.equal("twilio");
      expect(config.tenants).to.have.length(1);
      expect(config.tenants[0]).to.deep.include({
        id: "acme",
        name: "Acme",
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        apiKey: { sid: API_KEY_SID, secret: "acme-api-secret" },
        conversationsServiceSid: SERVICE_SID,
        phoneNumber: "+15005550010",
        whatsappNumber: "whatsapp:+15005550011",
      });
    });

    it("adds the file's tenants after the one from TWILIO_* variables", () => {
      const config = loadConfig(production({ TENANTS_FILE: "t.json", ACME_AUTH_TOKEN: AUTH_TOKEN }), tenantsFile([tenantEntry()]));

      expect(config.tenants.map((tenant) => tenant.id)).to.deep.equal(["default", "acme"]);
    });

    const refusals: Array<[string, object[], Record<string, string>, RegExp]> = [
      ["a secret is written inline", [tenantEntry({ authToken: "inline-secret-value" })], { ACME_AUTH_TOKEN: AUTH_TOKEN }, /authToken/],
      ["a referenced variable is not set", [tenantEntry()], {}, /ACME_AUTH_TOKEN/],
      ["a tenant id is declared twice", [tenantEntry(), tenantEntry()], { ACME_AUTH_TOKEN: AUTH_TOKEN }, /acme/],
      ["an account SID is malformed", [tenantEntry({ accountSid: "AC1" })], { ACME_AUTH_TOKEN: AUTH_TOKEN }, /accountSid/],
      ["an API key comes without its secret", [tenantEntry({ apiKeySid: API_KEY_SID })], { ACME_AUTH_TOKEN: AUTH_TOKEN }, /apiSecretEnv/],
    ];
    for (const [situation, entries, env, mentions] of refusals) {
      it(`refuses when ${situation}, naming TENANTS_FILE`, () => {
        const error = configErrorOf(() => loadConfig({ TENANTS_FILE: "t.json", ...env }, tenantsFile(entries)));

        expect(error.variable).to.equal("TENANTS_FILE");
        expect(error.message).to.match(mentions);
      });
    }

    it("refuses a tenant id already used by the TWILIO_* tenant", () => {
      const error = configErrorOf(() =>
        loadConfig(production({ TENANTS_FILE: "t.json", ACME_AUTH_TOKEN: AUTH_TOKEN }), tenantsFile([tenantEntry({ id: "default" })])),
      );

      expect(error.variable).to.equal("TENANTS_FILE");
      expect(error.message).to.contain('"default"');
    });

    it("refuses a file that is not JSON or cannot be read", () => {
      const notJson = configErrorOf(() => loadConfig({ TENANTS_FILE: "t.json" }, () => "[{"));
      const unreadable = configErrorOf(() =>
        loadConfig({ TENANTS_FILE: "missing.json" }, () => {
          throw new Error("ENOENT");
        }),
      );

      expect(notJson.variable).to.equal("TENANTS_FILE");
      expect(unreadable.variable).to.equal("TENANTS_FILE");
      expect(unreadable.message).to.contain("missing.json");
    });
  });

  describe("when accounts (sign-up, sign-in) are configured", () => {
    it("opens sign-up in emulator mode, keeps it closed with real Twilio unless REGISTRATION_ENABLED=true", () => {
      expect(loadConfig({}).accounts.registrationEnabled).to.equal(true);
      expect(loadConfig(production()).accounts.registrationEnabled).to.equal(false);
      expect(loadConfig(production({ REGISTRATION_ENABLED: "true" })).accounts.registrationEnabled).to.equal(true);
    });

    it("signs the gateway's own tokens with a key derived from JWT_SECRET, never with JWT_SECRET itself", () => {
      const accounts = loadConfig(production()).accounts;
      expect(accounts.sessionTokenSecret).to.be.a("string").and.not.equal(JWT_SECRET);
      expect(loadConfig(production({ JWT_SECRET: undefined, JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----x" })).accounts.sessionTokenSecret).to.equal(undefined);
    });

    it("refuses access tokens that would outlive JWT_MAX_LIFETIME_SECONDS", () => {
      const error = configErrorOf(() => loadConfig(production({ ACCESS_TOKEN_TTL_SECONDS: "7200", JWT_MAX_LIFETIME_SECONDS: "3600" })));
      expect(error.message).to.match(/^ACCESS_TOKEN_TTL_SECONDS/);
    });

    it("resolves tenant secrets by reference only from TENANT_ variables", () => {
      const accounts = loadConfig(production({ TENANT_ACME_KEY: "k", OTHER_KEY: "o" } as Record<string, string>)).accounts;
      expect(accounts.secretReference("TENANT_ACME_KEY")).to.equal("k");
      expect(accounts.secretReference("OTHER_KEY")).to.equal(undefined);
      expect(accounts.secretReference("TWILIO_AUTH_TOKEN")).to.equal(undefined);
    });
  });

  describe("when the configuration is loaded", () => {
    it("is frozen all the way down", () => {
      const config = loadConfig({ TENANTS_FILE: "t.json", ACME_AUTH_TOKEN: AUTH_TOKEN }, tenantsFile([tenantEntry()]));

      expect(Object.isFrozen(config)).to.equal(true);
      expect(Object.isFrozen(config.cache)).to.equal(true);
      expect(Object.isFrozen(config.jwt)).to.equal(true);
      expect(Object.isFrozen(config.tenants)).to.equal(true);
      expect(Object.isFrozen(config.tenants[0])).to.equal(true);
      expect(() => {
        (config as { port: number }).port = 1;
      }).to.throw(TypeError);
      expect(() => (config.tenants as Config["tenants"][number][]).push(config.tenants[0]!)).to.throw(TypeError);
    });
  });

  describe("when a secret is part of the problem", () => {
    const secret = "S3cr3t-value-that-must-never-be-logged";
    const cases: Array<[string, () => unknown]> = [
      ["JWT_SECRET is too short", () => loadConfig({ JWT_SECRET: "S3cr3t" })],
      ["TWILIO_AUTH_TOKEN comes without an account SID", () => loadConfig({ TWILIO_AUTH_TOKEN: `${secret}-long-enough` })],
      ["TWILIO_AUTH_TOKEN is too short", () => loadConfig(production({ TWILIO_AUTH_TOKEN: secret.slice(0, 20) }))],
      ["TWILIO_API_KEY is malformed", () => loadConfig(production({ TWILIO_API_KEY: secret }))],
      ["TWILIO_API_SECRET comes without a key", () => loadConfig(production({ TWILIO_API_SECRET: secret }))],
      ["a secret sits inline in TENANTS_FILE", () => loadConfig({ TENANTS_FILE: "t.json" }, tenantsFile([tenantEntry({ authToken: secret })]))],
      ["TENANTS_FILE is broken JSON around a secret", () => loadConfig({ TENANTS_FILE: "t.json" }, () => `[{"authToken": "${secret}"`)],
      ["PUBLIC_BASE_URL carries credentials", () => loadConfig({ PUBLIC_BASE_URL: `https://inbox:${secret}@inbox.example.com` })],
      ["JWT_SECRET and JWT_PUBLIC_KEY are both set", () => loadConfig({ JWT_SECRET: `${secret}-long-enough`, JWT_PUBLIC_KEY: secret })],
    ];
    for (const [situation, load] of cases) {
      it(`keeps the secret out of the message when ${situation}`, () => {
        const error = configErrorOf(load);

        for (const fragment of [secret, secret.slice(0, 20), "S3cr3t"]) expect(error.message).not.to.contain(fragment);
        expect(error.message).to.match(/^[A-Z_]+: /);
      });
    }
  });
});
