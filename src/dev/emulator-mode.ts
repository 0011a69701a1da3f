import type { TwilioEmulator } from "../emulator/index.js";

/** Emulator mode (`npm start` without Twilio credentials): what the gateway offers on top of its embedded emulator. */
export interface EmulatorMode {
  /** The embedded emulator (the same operation its loopback-only `/__emulator/inbound` runs). */
  emulator: Pick<TwilioEmulator, "simulateInboundMessage">;
  /** The user development sessions sign in as (the demo agent). */
  agentId: string;
}
