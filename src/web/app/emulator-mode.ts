import { signal } from "@preact/signals";

/** GET /api/v1/emulator: present only in emulator mode (404 on a gateway that talks to Twilio). */
export const emulatorMode = signal<{ developmentSignIn: boolean } | undefined>(undefined);

export async function detectEmulatorMode(): Promise<void> {
  try {
    const response = await fetch("/api/v1/emulator", { headers: { Accept: "application/json" } });
    emulatorMode.value = response.ok ? ((await response.json()) as { developmentSignIn: boolean }) : undefined;
  } catch {
    emulatorMode.value = undefined;
  }
}
