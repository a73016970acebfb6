import { api } from "../api";
import { useCan } from "../auth";
import { useLive, useLoad } from "../hooks";
import { Link } from "../router";
import { type RolloutSummary, revisionName } from "../types";

/** Events that change a rollout's row in the list. */
export const ROLLOUT_CHANGES = [
  "RolloutCreated",
  "RolloutStarted",
  "RolloutPaused",
  "RolloutResumed",
  "RolloutAborted",
  "RolloutCompleted",
  "RolloutRollbackStarted",
  "WaveStarted",
  "WaveGateFailed",
  "WaveGatePassed",
].join(",");

export function RolloutsPage() {
  const list = useLoad(() => api<RolloutSummary[]>("/v1/rollouts"), "rollouts");
  useLive(`?type=${ROLLOUT_CHANGES}`, list.reload, 1000);
  const canOperate = useCan("operator");
  return (
    <>
      <h1>Rollouts</h1>
      {canOperate && (
        <p>
          <Link to="/rollouts/new" class="button">
            New rollout
          </Link>
        </p>
      )}
      {list.error && (
        <p role="alert" class="error">
          {list.error}
        </p>
      )}
      <table aria-label="Rollouts">
        <thead>
          <tr>
            <th scope="col">Rollout</th>
            <th scope="col">Status</th>
            <th scope="col">Revision</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {(list.data ?? []).map((r) => (
            <tr key={r.rolloutId}>
              <td>
                <Link to={`/rollouts/${encodeURIComponent(r.rolloutId)}`}>{r.rolloutId}</Link>
                {r.rollbackOf && ` (rollback of ${r.rollbackOf})`}
              </td>
              <td>
                <span class={`badge status-${r.status}`}>{r.status}</span>
              </td>
              <td>{revisionName(r.revision)}</td>
              <td>{new Date(r.updatedAt).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p class="muted">No rollouts yet.</p>}
    </>
  );
}
