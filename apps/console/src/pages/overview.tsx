import { api } from "../api";
import { WaveBar } from "../components/wave-bar";
import { useLive, useLoad } from "../hooks";
import { Link } from "../router";
import { type EventView, type Rollout, type RolloutSummary, revisionName } from "../types";

type Summary = {
  total: number;
  online: number;
  offline: number;
  drifted: number;
  byRevision: { fleet: string | null; number: number | null; count: number }[];
  byStatus: { status: string | null; count: number }[];
};

async function activeRollouts(): Promise<Rollout[]> {
  const all = await api<RolloutSummary[]>("/v1/rollouts");
  const active = all.filter((r) => r.status === "running" || r.status === "paused");
  return Promise.all(
    active.map((r) => api<Rollout>(`/v1/rollouts/${encodeURIComponent(r.rolloutId)}`)),
  );
}

/** Recent failures across the fleet, grouped by reason. */
async function recentFailures(): Promise<[string, number][]> {
  const page = await api<{ items: EventView[] }>(
    "/v1/events?type=UpdateFailed,UpdateRejected,DeviceRolledBack&limit=500&from=" +
      new Date(Date.now() - 86_400_000).toISOString(),
  );
  const counts = new Map<string, number>();
  for (const e of page.items) {
    const reason = `${e.type}: ${String(e.data.reason ?? "unknown")}`;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

function Counts(props: { label: string; rows: [string, number][] }) {
  return (
    <table aria-label={props.label}>
      <caption>{props.label}</caption>
      <tbody>
        {props.rows.map(([name, n]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OverviewPage() {
  const summary = useLoad(() => api<Summary>("/v1/devices/summary"), "summary");
  const rollouts = useLoad(activeRollouts, "active");
  const failures = useLoad(recentFailures, "failures");
  useLive(
    "",
    () => {
      summary.reload();
      rollouts.reload();
      failures.reload();
    },
    1000,
  );
  const s = summary.data;
  return (
    <>
      <h1>Fleet overview</h1>
      {s && (
        <div class="cards">
          <Counts
            label="Presence"
            rows={[
              ["online", s.online],
              ["offline", s.offline],
              ["total", s.total],
              ["not on their target (drifted)", s.drifted],
            ]}
          />
          <Counts
            label="By revision"
            rows={s.byRevision.map((r) => [
              r.number === null || r.fleet === null
                ? "none yet"
                : revisionName({ fleet: r.fleet, number: r.number }),
              r.count,
            ])}
          />
          <Counts
            label="By last status"
            rows={s.byStatus.map((r) => [r.status ?? "none", r.count])}
          />
        </div>
      )}
      <h2>Rollouts in progress</h2>
      {rollouts.data?.length === 0 && <p class="muted">None.</p>}
      {(rollouts.data ?? []).map((r) => (
        <section key={r.rolloutId} class="wave" aria-label={`Rollout ${r.rolloutId}`}>
          <h3>
            <Link to={`/rollouts/${encodeURIComponent(r.rolloutId)}`}>{r.rolloutId}</Link> ·{" "}
            {r.status}
          </h3>
          {r.waves.map((w) => (
            <WaveBar key={w.index} wave={w} />
          ))}
        </section>
      ))}
      <h2>Failures in the last 24 h</h2>
      {failures.data && <Counts label="Failures by reason" rows={failures.data} />}
      {failures.data?.length === 0 && <p class="muted">None.</p>}
    </>
  );
}
