import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";

/**
 * The Signed Event Webhook key pair: ECDSA P-256, signature = base64 DER of ECDSA-SHA256 over
 * the timestamp header followed by the raw body ("Getting Started with the Event Webhook
 * Security Features").
 */
export class EventWebhookSigner {
  /** Base64 SPKI DER, the "verification key" SendGrid shows and `convertPublicKeyToECDSA` takes. */
  readonly publicKey: string;
  private readonly privateKey: KeyObject;

  constructor() {
    const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ type: "spki", format: "der" }).toString("base64");
  }

  /** The `X-Twilio-Email-Event-Webhook-Signature` value for `payload` sent at `timestamp`. */
  sign(timestamp: string, payload: string): string {
    return sign("sha256", Buffer.from(timestamp + payload, "utf8"), this.privateKey).toString("base64");
  }
}
