import { useSignal } from "@preact/signals";
import { emulatorMode } from "../emulator-mode.js";
import { signInNotice, signInWithEmulator, signInWithToken } from "../session.js";

/** Emulator mode: one click (the development token). Elsewhere: an access token, pasted. */
export function SignIn() {
  const token = useSignal("");
  const error = useSignal<string | undefined>(undefined);
  const busy = useSignal(false);
  const run = async (work: () => Promise<void>) => {
    busy.value = true;
    error.value = undefined;
    try {
      await work();
    } catch (failure) {
      error.value = failure instanceof Error ? failure.message : String(failure);
    } finally {
      busy.value = false;
    }
  };
  return (
    <main class="sign-in">
      <h1>Switchboard</h1>
      <p class="lead">The unified inbox of this gateway: SMS, WhatsApp and Email conversations, live.</p>
      {signInNotice.value && (
        <p class="notice" role="alert">
          {signInNotice.value}
        </p>
      )}
      {error.value && (
        <p class="error" role="alert">
          {error.value}
        </p>
      )}
      {emulatorMode.value?.developmentSignIn && (
        <section class="card" aria-labelledby="emulator-heading">
          <h2 id="emulator-heading">Emulator mode</h2>
          <p>This gateway runs on its embedded Twilio emulator with demo conversations; nothing reaches Twilio.</p>
          <button type="button" class="primary" disabled={busy.value} onClick={() => run(signInWithEmulator)}>
            Sign in with the development token
          </button>
        </section>
      )}
      <form
        class="card"
        aria-labelledby="token-heading"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => signInWithToken(token.value));
        }}
      >
        <h2 id="token-heading">Sign in with an access token</h2>
        <label for="token-input">Access token (JWT)</label>
        <textarea id="token-input" rows={4} spellcheck={false} autoComplete="off" value={token.value} onInput={(e) => (token.value = e.currentTarget.value)} />
        <button type="submit" disabled={busy.value || token.value.trim() === ""}>
          Sign in
        </button>
      </form>
    </main>
  );
}
