import { api } from "../api";
import { RolloutControls } from "../components/controls";
import { FailureGroups } from "../components/failures";
import { formatEta, GateView } from "../components/gate";
import { WaveBar } from "../components/wave-bar";
import { useLive, useLoad } from "../hooks";
import { Link } from "../router";
import { type Rollout, revisionName } from "../types";

const when = (iso: string) => `${new Date(iso).toLocaleString()} (${iso})`;

/** One rollout, kept current by its events (`/v1/events/stream?rollout=<id>`). */
export function RolloutPage(props: { id: string }) {
  const path = `/v1/rollouts/${encodeURIComponent(props.id)}`;
  const rollout = useLoad(() => api<Rollout>(path), path);
  const live = useLive(`?rollout=${encodeURIComponent(props.id)}`, rollout.reload);
  const r = rollout.data;
  return (
    <>
      <p>
        <Link to="/rollouts">← Rollouts</Link>
      </p>
      <h1>
        Rollout {props.id}{" "}
        {r && (
          <span class={`badge status-${r.status}`} data-testid="rollout-status">
            {r.status}
          </span>
        )}
      </h1>
      {rollout.error && (
        <p role="alert" class="error">
          {rollout.error}
        </p>
      )}
      {r && (
        <>
          <dl class="facts">
            <dt>Revision</dt>
            <dd>{revisionName(r.revision)}</dd>
            <dt>Devices</dt>
            <dd>{r.devices}</dd>
            <dt>Current wave</dt>
            <dd>{r.currentWave === null ? "—" : r.currentWave + 1}</dd>
            <dt>ETA</dt>
            <dd data-testid="eta">{formatEta(r.etaSeconds)}</dd>
            <dt>Live</dt>
            <dd data-testid="live">{live ? "following events" : "connecting…"}</dd>
            {r.pace && (
              <>
                <dt>Paced</dt>
                <dd data-testid="pace">
                  {r.pace.inFlight} of at most {r.pace.maxInFlight} devices updating
                </dd>
              </>
            )}
            {r.consent && Object.values(r.consent).some((n) => n > 0) && (
              <>
                <dt>Consent</dt>
                <dd data-testid="consent">
                  {r.consent.accept} accepted, {r.consent.skip} skipped, {r.consent.later} later,{" "}
                  {r.consent.asked} asked
                </dd>
              </>
            )}
          </dl>
          {r.overLongLocks && r.overLongLocks.length > 0 && (
            <section aria-label="Over-long update locks">
              <h2>Over-long update locks</h2>
              <ul data-testid="over-long-locks">
                {r.overLongLocks.map((lock) => (
                  <li key={lock.deviceId}>
                    <Link
                      to={`/devices/${encodeURIComponent(lock.deviceId)}?rollout=${encodeURIComponent(props.id)}`}
                    >
                      {lock.deviceId}
                    </Link>
                    : {lock.detail} ({Math.round(lock.seconds / 60)} min, since{" "}
                    {when(lock.heldSince)})
                  </li>
                ))}
              </ul>
            </section>
          )}
          <RolloutControls id={props.id} status={r.status} onDone={rollout.reload} />
          <h2>Waves</h2>
          {r.waves.length === 0 && <p class="muted">Not started: no waves planned yet.</p>}
          {r.waves.map((wave) => (
            <section key={wave.index} class="wave" aria-label={`Wave ${wave.index + 1}`}>
              <h3>
                Wave {wave.index + 1} · {wave.size} devices ·{" "}
                <span class={`wave-${wave.status}`}>{wave.status}</span>
              </h3>
              {wave.deferredUntil && wave.status === "pending" && (
                <p class="notice" data-testid={`wave-${wave.index}-deferred`}>
                  Scheduled: starts no earlier than {when(wave.deferredUntil)}
                </p>
              )}
              <WaveBar wave={wave} />
              <GateView wave={wave} />
            </section>
          ))}
          <h2>Failures</h2>
          <FailureGroups groups={r.failures} rolloutId={props.id} />
          <p>
            <Link to={`/audit?rollout=${encodeURIComponent(props.id)}`}>This rollout's events</Link>
          </p>
        </>
      )}
    </>
  );
}
