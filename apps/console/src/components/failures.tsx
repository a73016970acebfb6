import { Link } from "../router";
import type { FailureGroup } from "../types";

/** Failures grouped by (stage, reason), each with the devices behind it. */
export function FailureGroups(props: { groups: FailureGroup[]; rolloutId: string }) {
  if (props.groups.length === 0) return <p class="muted">No failed devices.</p>;
  return (
    <table class="failures" aria-label="Failures by stage and reason">
      <thead>
        <tr>
          <th scope="col">Stage</th>
          <th scope="col">Reason</th>
          <th scope="col">Devices</th>
        </tr>
      </thead>
      <tbody>
        {props.groups.map((g) => (
          <tr key={`${g.outcome}/${g.stage}/${g.reason}`} data-testid="failure-group">
            <td>{g.stage}</td>
            <td>
              <code>{g.reason}</code> {g.outcome === "rejected" && "(rejected)"}
            </td>
            <td>
              <strong>{g.count}</strong>:{" "}
              {g.devices.map((d) => (
                <Link key={d} to={`/devices/${d}?rollout=${encodeURIComponent(props.rolloutId)}`}>
                  {d}
                </Link>
              ))}
              {g.count > g.devices.length && ` and ${g.count - g.devices.length} more`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
