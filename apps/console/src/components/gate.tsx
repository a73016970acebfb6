import type { Wave } from "../types";

const duration = (s: number) =>
  s >= 3600
    ? `${Math.round(s / 360) / 10} h`
    : s >= 60
      ? `${Math.round(s / 6) / 10} min`
      : `${Math.round(s)} s`;

export const formatEta = (s: number | null) => (s === null ? "unknown yet" : duration(s));

/** A wave's gate: each live value next to the threshold it is held against. */
export function GateView(props: { wave: Wave }) {
  const { gate, soak } = props.wave;
  const { percent, count } = gate.maxFailures;
  const rows: [string, string, string][] = [
    [
      "Failure rate (over finished)",
      gate.failurePercent === null ? "—" : `${gate.failurePercent}%`,
      percent === undefined ? "no limit" : `≤ ${percent}%`,
    ],
    ["Failures", String(gate.failures), count === undefined ? "no cap" : `cap ${count}`],
    ["Finished (sample)", String(gate.finished), `min sample ${gate.minSample}`],
    ["Succeeded", String(gate.succeeded), `${gate.required} needed`],
    [
      "Soak remaining",
      soak.soakingDevices > 0 ? duration(soak.remainingSeconds) : "—",
      `soak ${duration(soak.soakSeconds)}`,
    ],
  ];
  return (
    <table class="gate" aria-label={`Gate of wave ${props.wave.index + 1}`}>
      <caption>
        Gate: <span class={`gate-${gate.state}`}>{gate.state.replace("_", " ")}</span>
        {gate.state === "open" && ` (would be ${gate.verdictNow} now)`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Measure</th>
          <th scope="col">Now</th>
          <th scope="col">Threshold</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([name, now, limit]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{now}</td>
            <td>{limit}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
