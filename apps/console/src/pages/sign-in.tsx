import { useState } from "preact/hooks";
import { ApiError, api, session } from "../api";
import type { Me } from "../auth";

function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return "This token was not accepted: it is unknown, mistyped or revoked. Ask an admin for a token (statecast tokens create).";
  if (error instanceof ApiError) return `The orchestrator refused: ${error.message}`;
  return `The orchestrator could not be reached: ${(error as Error).message}`;
}

export function SignIn(props: { onSignedIn: (me: Me) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await api<Me>("/v1/whoami", { token: token.trim() });
      session.save(token.trim());
      props.onSignedIn(me);
    } catch (e) {
      setError(explain(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Statecast console</h1>
      <form onSubmit={submit}>
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <p class="hint">Kept in this browser tab only (session storage).</p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
