import type { TestApp } from "./start-app.js";

/**
 * Adds messages straight into the emulator over its REST API (not through the gateway, so no pacing and no
 * webhooks): fixtures for reads. Sequential, so indexes follow `bodies`.
 */
export async function seedMessages(t: TestApp, tenant: "alpha" | "beta", conversationSid: string, bodies: string[], author = "bob"): Promise<void> {
  const { accountSid, authToken, conversationsServiceSid } = t.tenants[tenant];
  const url = `${t.emulator.baseUrl}/v1/Services/${conversationsServiceSid}/Conversations/${conversationSid}/Messages`;
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  for (const body of bodies) {
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ Author: author, Body: body }).toString(),
    });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
}
