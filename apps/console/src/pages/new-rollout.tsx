import type {
  RolloutDefinitionRequest,
  RolloutPlanView,
  RolloutProgressView,
  WaveSpec,
} from "@statecast/contract/http";
import { useState } from "preact/hooks";
import { api } from "../api";
import { navigate } from "../router";

const DEFAULT_WAVES = JSON.stringify(
  [
    { size: { percent: 10 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } },
    { size: { percent: 30 }, minSample: 3, soakSeconds: 0, maxFailures: { percent: 5 } },
    { size: { percent: 100 }, minSample: 5, soakSeconds: 0, maxFailures: { percent: 5 } },
  ] satisfies WaveSpec[],
  null,
  2,
);

type OnFailure = NonNullable<NonNullable<RolloutDefinitionRequest["policy"]>["onFailure"]>;
/** Every failure policy of the contract, as the select shows it (the compiler keeps it complete). */
const ON_FAILURE: Record<OnFailure, string> = {
  pause: "pause",
  abort: "abort",
  rollback: "roll back",
};
const isOnFailure = (value: string): value is OnFailure => Object.hasOwn(ON_FAILURE, value);

/** Define a rollout, see its dry-run plan (POST /v1/rollouts/plan), then create it. */
export function NewRolloutPage() {
  const [fleet, setFleet] = useState("");
  const [revision, setRevision] = useState("");
  const [tag, setTag] = useState("");
  const [waves, setWaves] = useState(DEFAULT_WAVES);
  const [onFailure, setOnFailure] = useState<OnFailure>("pause");
  const [maxInFlight, setMaxInFlight] = useState("");
  const [plan, setPlan] = useState<RolloutPlanView>();
  const [error, setError] = useState<string>();
  // The waves are the operator's JSON, sent as typed: the server's contract checks them.
  const definition = (): RolloutDefinitionRequest => ({
    revision: { fleet, number: Number(revision) },
    selector: { fleet, ...(tag ? { tags: [tag] } : {}) },
    waves: JSON.parse(waves) as WaveSpec[],
    policy: { onFailure },
    ...(maxInFlight ? { maxInFlight: Number(maxInFlight) } : {}),
  });
  const run = async (what: "plan" | "create") => {
    setError(undefined);
    try {
      if (what === "plan") {
        setPlan(
          await api<RolloutPlanView>("/v1/rollouts/plan", { method: "POST", json: definition() }),
        );
        return;
      }
      const created = await api<RolloutProgressView>("/v1/rollouts", {
        method: "POST",
        json: definition(),
      });
      navigate(`/rollouts/${encodeURIComponent(created.rolloutId)}`);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void run("plan");
  };
  return (
    <>
      <h1>New rollout</h1>
      <form class="grid" onSubmit={submit}>
        <label for="fleet">Fleet</label>
        <input id="fleet" required value={fleet} onInput={(e) => setFleet(e.currentTarget.value)} />
        <label for="revision">Revision number</label>
        <input
          id="revision"
          type="number"
          min="1"
          required
          value={revision}
          onInput={(e) => setRevision(e.currentTarget.value)}
        />
        <label for="tag">Only devices with tag (key or key=value, optional)</label>
        <input id="tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)} />
        <label for="on-failure">When a gate fails</label>
        <select
          id="on-failure"
          value={onFailure}
          onChange={(e) => {
            const value = e.currentTarget.value;
            if (isOnFailure(value)) setOnFailure(value);
          }}
        >
          {Object.entries(ON_FAILURE).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <label for="max-in-flight">At most this many devices updating at once (optional)</label>
        <input
          id="max-in-flight"
          type="number"
          min="1"
          value={maxInFlight}
          onInput={(e) => setMaxInFlight(e.currentTarget.value)}
        />
        <label for="waves">Waves (JSON)</label>
        <textarea
          id="waves"
          rows={12}
          value={waves}
          onInput={(e) => setWaves(e.currentTarget.value)}
        />
        <div class="actions">
          <button type="submit">Plan (dry run)</button>
          <button type="button" disabled={!plan} onClick={() => void run("create")}>
            Create rollout
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {plan && (
        <section aria-label="Plan" data-testid="plan">
          <h2>Plan: {plan.devices} devices</h2>
          <ol>
            {plan.waves.map((w, i) => (
              <li key={i} data-testid={`plan-wave-${i}`}>
                Wave {i + 1}: {w.devices.length} devices
                <span class="muted">
                  {" "}
                  (
                  {w.devices
                    .slice(0, 8)
                    .map((d) => d.deviceId)
                    .join(", ")}
                  {w.devices.length > 8 ? ", …" : ""})
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}
