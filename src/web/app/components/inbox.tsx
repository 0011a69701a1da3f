import { useEffect, useLayoutEffect } from "preact/hooks";
import { emulatorMode } from "../emulator-mode.js";
import { clearList, filter, loadList, refreshTotals, search, selectedSid } from "../inbox-state.js";
import { connection, startLive, stopLive } from "../live.js";
import { chooseTenant, endSession, session, tenantId, userId } from "../session.js";
import { closeConversation } from "../thread-state.js";
import { installKeyboard } from "../keyboard.js";
import { ConnectionBanner } from "./connection-banner.js";
import { ConversationList, ListControls } from "./conversation-list.js";
import { SimulatePanel } from "./simulate-panel.js";
import { ThreadView } from "./thread-view.js";

export function Inbox() {
  useEffect(() => installKeyboard(), []);
  // The socket and the totals are the tenant's: another tenant picked starts them again (and closes the thread).
  const tenant = tenantId.value;
  useEffect(() => {
    startLive();
    refreshTotals(0);
    return () => {
      stopLive();
      closeConversation();
    };
  }, [tenant]);
  // The first page again whenever the tenant, the filter or the search changes (typing in the search waits for a
  // pause). A layout effect: the first request leaves before the first paint, not a frame later.
  const view = `${tenant}\n${filter.value}\n${search.value.trim()}`;
  useLayoutEffect(() => {
    if (!search.value.trim()) return void loadList();
    const timer = setTimeout(() => void loadList(), 250);
    return () => clearTimeout(timer);
  }, [view]);

  return (
    <div class="shell">
      <header class="topbar">
        <h1>Switchboard</h1>
        <span class={`live live-${connection.value}`}>{connection.value === "online" ? "Live" : connection.value === "offline" ? "Offline" : "Connecting…"}</span>
        {emulatorMode.value && <span class="mode">Emulator mode</span>}
        <TenantPicker />
        <span class="who">Signed in as {userId.value}</span>
        <button type="button" class="quiet" onClick={() => endSession()}>
          Sign out
        </button>
      </header>
      <ConnectionBanner />
      {/* On a narrow screen one pane shows at a time: the list, or the open conversation (with a way back). */}
      <div class={selectedSid.value ? "panes has-open" : "panes"}>
        <nav class="sidebar" aria-label="Inbox">
          <ListControls />
          <div class="list-scroll">
            <ConversationList />
          </div>
          {emulatorMode.value && <SimulatePanel />}
        </nav>
        <main class="thread-pane">
          <ThreadView />
        </main>
      </div>
    </div>
  );
}

/** The tenant in view, when the token grants several (an operator's token, or emulator mode after sign-ups). */
function TenantPicker() {
  const ids = session.value?.tenantIds ?? [];
  const names = session.value?.tenantNames ?? {};
  if (ids.length < 2) return null;
  const pick = (id: string) => {
    if (id === tenantId.peek()) return;
    clearList();
    chooseTenant(id);
  };
  return (
    <label class="tenant">
      Tenant{" "}
      <select value={tenantId.value} onChange={(event) => pick((event.currentTarget as HTMLSelectElement).value)}>
        {ids.map((id) => (
          <option key={id} value={id}>
            {names[id] && names[id] !== id ? `${names[id]} (${id})` : id}
          </option>
        ))}
      </select>
    </label>
  );
}
