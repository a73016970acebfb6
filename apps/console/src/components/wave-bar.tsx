import type { Wave } from "../types";

/** The seven states an operator watches, each from the rollout's own device statuses. */
export const SEGMENTS = [
  ["queued", ["pending", "assigned", "queued"]],
  ["downloading", ["downloading"]],
  ["installing", ["installing"]],
  ["testing", ["testing"]],
  ["soaking", ["soaking"]],
  ["done", ["succeeded", "already_on_revision"]],
  ["failed", ["failed", "rejected"]],
] as const;

export function segmentCounts(counts: Record<string, number>): [string, number][] {
  return SEGMENTS.map(([name, statuses]) => [
    name,
    statuses.reduce((sum, s) => sum + (counts[s] ?? 0), 0),
  ]);
}

/** One wave as a bar split by device state, with its counts spelled out for screen readers. */
export function WaveBar(props: { wave: Wave }) {
  const { wave } = props;
  const segments = segmentCounts(wave.counts);
  const total = Math.max(1, wave.size);
  const label = segments.map(([name, n]) => `${n} ${name}`).join(", ");
  return (
    <div class="wave-bar-wrap">
      <div
        class="wave-bar"
        role="img"
        aria-label={`Wave ${wave.index + 1}: ${label}`}
        data-testid={`wave-bar-${wave.index}`}
      >
        {segments.map(([name, n]) =>
          n === 0 ? null : (
            <span
              key={name}
              class={`seg seg-${name}`}
              style={{ width: `${(n * 100) / total}%` }}
              data-state={name}
              data-count={n}
              title={`${n} ${name}`}
            />
          ),
        )}
      </div>
      <ul class="legend">
        {segments.map(([name, n]) => (
          <li key={name} data-testid={`wave-${wave.index}-${name}`}>
            <span class={`swatch seg-${name}`} aria-hidden="true" /> {name} {n}
          </li>
        ))}
      </ul>
    </div>
  );
}
