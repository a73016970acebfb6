import { type EventView, revisionName } from "../types";

function summary(event: EventView): string {
  const d = event.data;
  const parts: string[] = [];
  const rev = d.revision as { fleet?: string; number?: number } | undefined;
  if (rev?.fleet !== undefined && rev.number !== undefined)
    parts.push(revisionName({ fleet: rev.fleet, number: rev.number }));
  for (const key of ["status", "reason", "message", "waveIndex", "rolloutId", "cause"]) {
    const value = d[key];
    if (value === undefined || value === "") continue;
    parts.push(`${key} ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
  }
  return parts.join(" · ");
}

/** Events in recorded order with who caused each (device, operator or system). */
export function Timeline(props: { events: EventView[] }) {
  if (props.events.length === 0) return <p class="muted">No events.</p>;
  return (
    <ol class="timeline" aria-label="Timeline">
      {props.events.map((e) => (
        <li key={e.globalPosition} data-type={e.type}>
          <time dateTime={e.recordedAt}>{new Date(e.recordedAt).toLocaleString()}</time>{" "}
          <strong>{e.type}</strong> <span class="actor">by {e.metadata.actor ?? "?"}</span>
          {e.streamId.startsWith("rollout:") && <span class="muted"> ({e.streamId})</span>}
          <div class="detail">{summary(e)}</div>
        </li>
      ))}
    </ol>
  );
}
