import { useSignal } from "@preact/signals";
import { api, ApiError } from "../api.js";
import { channelOf, contactName } from "../conversation-model.js";
import { conversations, selectedSid } from "../inbox-state.js";

const NEW_NUMBER = "new";

/**
 * Emulator mode only: a customer writes in (POST /api/v1/emulator/inbound), so the live path — webhook, socket,
 * badge — can be seen without a phone.
 */
export function SimulatePanel() {
  const from = useSignal<string | undefined>(undefined);
  const phone = useSignal("+15551239999");
  const text = useSignal("Hello! Any news on my order?");
  const status = useSignal<string | undefined>(undefined);
  const phoneContacts = conversations.value.filter((c) => channelOf(c) !== "Email");
  const chosen = from.value ?? (phoneContacts.some((c) => c.sid === selectedSid.value) ? selectedSid.value : phoneContacts[0]?.sid) ?? NEW_NUMBER;
  const submit = async () => {
    status.value = "Sending…";
    try {
      const target = chosen === NEW_NUMBER ? { from: phone.value.trim() } : { conversationSid: chosen };
      await api("POST", "/api/v1/emulator/inbound", { body: { body: text.value, ...target } });
      status.value = "Delivered to the emulator: watch it arrive.";
    } catch (error) {
      status.value = `Not sent: ${error instanceof ApiError ? error.message : String(error)}`;
    }
  };
  return (
    <details class="simulate">
      <summary>Simulate a customer message</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label for="simulate-from">From</label>
        <select id="simulate-from" value={chosen} onChange={(e) => (from.value = e.currentTarget.value)}>
          {phoneContacts.map((c) => (
            <option key={c.sid} value={c.sid}>
              {contactName(c)} ({channelOf(c)})
            </option>
          ))}
          <option value={NEW_NUMBER}>A new number…</option>
        </select>
        {chosen === NEW_NUMBER && (
          <>
            <label for="simulate-phone">Number (+… for SMS, whatsapp:+… for WhatsApp)</label>
            <input id="simulate-phone" type="text" value={phone.value} onInput={(e) => (phone.value = e.currentTarget.value)} />
          </>
        )}
        <label for="simulate-text">Message</label>
        <textarea id="simulate-text" rows={2} value={text.value} onInput={(e) => (text.value = e.currentTarget.value)} />
        <button type="submit" disabled={text.value.trim() === ""}>
          Send as the customer
        </button>
        <p class="simulate-status" role="status">
          {status.value ?? ""}
        </p>
      </form>
    </details>
  );
}
