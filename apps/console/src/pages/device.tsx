import { useState } from "preact/hooks";
import { api, query } from "../api";
import { Metrics } from "../components/metrics";
import { Timeline } from "../components/timeline";
import { useLive, useLoad } from "../hooks";
import { currentRoute, Link } from "../router";
import {
  type Device,
  type DeviceWhy,
  type EventView,
  revisionName,
  WAITING_REASONS,
} from "../types";

type Page = { items: EventView[] };

/** Rollout events that are decisions or operator actions: shown in every member's timeline. */
const ROLLOUT_DECISIONS =
  "RolloutStarted,RolloutPaused,RolloutResumed,RolloutPromoted,RolloutAborted,RolloutCompleted,RolloutRollbackStarted,WaveGateFailed,WaveGatePassed";

async function timeline(id: string, to: string | undefined): Promise<EventView[]> {
  const own = await api<Page>(`/v1/events${query({ device: id, to, limit: 500 })}`);
  const rollouts = new Set(
    own.items.map((e) => e.data.rolloutId).filter((r): r is string => typeof r === "string"),
  );
  const decisions = await Promise.all(
    [...rollouts].map((r) =>
      api<Page>(
        `/v1/events${query({ stream: `rollout:${r}`, type: ROLLOUT_DECISIONS, to, limit: 500 })}`,
      ),
    ),
  );
  return [...own.items, ...decisions.flatMap((p) => p.items)].sort((a, b) =>
    BigInt(a.globalPosition) < BigInt(b.globalPosition) ? -1 : 1,
  );
}

/** A device now or as it was at an instant, why it is not updated, and its timeline. */
export function DevicePage(props: { id: string }) {
  const [at, setAt] = useState<string>();
  const [draft, setDraft] = useState("");
  const key = `${props.id}@${at ?? "now"}`;
  const device = useLoad(
    () => api<Device>(`/v1/devices/${encodeURIComponent(props.id)}${query({ at })}`),
    key,
  );
  const events = useLoad(() => timeline(props.id, at), key);
  const rolloutId = currentRoute().search.get("rollout") ?? device.data?.target?.rolloutId;
  const why = useLoad(
    () =>
      rolloutId
        ? api<DeviceWhy>(
            `/v1/rollouts/${encodeURIComponent(rolloutId)}/devices/${encodeURIComponent(props.id)}/why`,
          )
        : Promise.resolve(undefined),
    `${key}/${rolloutId}`,
  );
  const reload = () => {
    device.reload();
    events.reload();
    why.reload();
  };
  useLive(at ? null : `?device=${encodeURIComponent(props.id)}`, reload);
  const d = device.data;
  const travel = (event: Event) => {
    event.preventDefault();
    setAt(draft ? new Date(draft).toISOString() : undefined);
  };
  return (
    <>
      <p>
        <Link to="/devices">← Devices</Link>
      </p>
      <h1>Device {props.id}</h1>
      <form class="filters" onSubmit={travel} aria-label="Time travel">
        <label for="at">As it was at</label>
        <input
          id="at"
          type="datetime-local"
          step="1"
          value={draft}
          onInput={(e) => setDraft(e.currentTarget.value)}
        />
        <button type="submit">Show</button>
        {at && (
          <button
            type="button"
            class="link"
            onClick={() => {
              setAt(undefined);
              setDraft("");
            }}
          >
            Back to now
          </button>
        )}
      </form>
      {at && <p class="notice">Showing the device as it was at {new Date(at).toLocaleString()}.</p>}
      {(device.error || events.error) && (
        <p role="alert" class="error">
          {device.error ?? events.error}
        </p>
      )}
      {d && (
        <dl class="facts">
          <dt>Fleet</dt>
          <dd>{d.fleet ?? "—"}</dd>
          <dt>Current revision</dt>
          <dd data-testid="current-revision">{revisionName(d.currentRevision)}</dd>
          <dt>Target revision</dt>
          <dd data-testid="target-revision">{revisionName(d.target?.revision)}</dd>
          <dt>Last status</dt>
          <dd>
            {d.lastStatus ?? "—"} {d.lastReason && <code>{d.lastReason}</code>}
          </dd>
          <dt>Online</dt>
          <dd>{d.online ? "online" : "offline"}</dd>
          {d.metrics && (
            <>
              <dt>Metrics</dt>
              <dd>
                <Metrics metrics={d.metrics} />
              </dd>
            </>
          )}
          <dt>Tags</dt>
          <dd>
            {Object.entries(d.tags)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ") || "—"}
          </dd>
        </dl>
      )}
      {why.data && rolloutId && (
        <section aria-label="Why" class="why">
          <h2>Why (rollout {rolloutId})</h2>
          <p data-testid="why">
            <code>{why.data.reason}</code> — wave {why.data.waveIndex + 1}, {why.data.status} since{" "}
            {new Date(why.data.since).toLocaleString()}
          </p>
          {WAITING_REASONS.has(why.data.reason) && (
            <p class="notice" data-testid="why-waiting">
              Waiting by design, not failed.
            </p>
          )}
          {why.data.detail && <p data-testid="why-detail">{why.data.detail}</p>}
          {why.data.until && (
            <p data-testid="why-until">
              Until <time dateTime={why.data.until}>{why.data.until}</time> (
              {new Date(why.data.until).toLocaleString()})
            </p>
          )}
        </section>
      )}
      <h2>Timeline</h2>
      {events.data && <Timeline events={events.data} />}
    </>
  );
}
