import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { useCan } from "../auth";

type Action = "start" | "pause" | "resume" | "promote" | "abort" | "rollback";

const ALLOWED: Record<string, Action[]> = {
  created: ["start"],
  running: ["pause", "promote", "abort", "rollback"],
  paused: ["resume", "promote", "abort", "rollback"],
  completed: ["rollback"],
  aborted: ["rollback"],
};

/**
 * The operator's controls for a rollout in `status`; each asks for a reason, which the API
 * records on the event with the caller as actor. Viewers get no controls at all.
 */
export function RolloutControls(props: { id: string; status: string; onDone: () => void }) {
  const canOperate = useCan("operator");
  const [action, setAction] = useState<Action>();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  // The reason field takes the focus when a control is chosen (keyboard users type straight on).
  useEffect(() => {
    if (action) input.current?.focus();
  }, [action]);
  if (!canOperate) return null;
  const actions = ALLOWED[props.status] ?? [];
  if (actions.length === 0) return null;
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!action) return;
    setBusy(true);
    setError(undefined);
    try {
      await api(`/v1/rollouts/${encodeURIComponent(props.id)}/${action}`, {
        method: "POST",
        json: { reason },
      });
      setAction(undefined);
      setReason("");
      props.onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="controls" aria-label="Rollout controls">
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          class={a === "abort" || a === "rollback" ? "danger" : ""}
          aria-pressed={action === a}
          onClick={() => setAction(a)}
        >
          {a[0]?.toUpperCase()}
          {a.slice(1)}
        </button>
      ))}
      {action && (
        <form class="reason" onSubmit={submit} aria-label={`Confirm ${action}`}>
          <label for="reason">Reason for {action}</label>
          <input
            ref={input}
            id="reason"
            required
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            placeholder="e.g. canary fixed, see ticket 42"
          />
          <button type="submit" disabled={busy}>
            Confirm {action}
          </button>
          <button type="button" class="link" onClick={() => setAction(undefined)}>
            Cancel
          </button>
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
        </form>
      )}
    </section>
  );
}
