import type { VerifyReport } from "@statecast/state";

/** The part a key belongs to: `P/…` and `_config/P/…` are part P; top-level keys have none. */
function partOf(key: string): string | undefined {
  const segments = key.split("/");
  if (segments[0] === "_config") return segments[1];
  return segments.length > 1 ? segments[0] : undefined;
}

/**
 * One line saying what to do about a state the trust policy refused: which parts to (re-)sign and
 * with which command. A signature made invalid by added or changed keys is re-signed (it keeps its
 * globs); keys of a part without a signature are signed as that part; top-level keys such as
 * `#spec` go into some part's include.
 */
export function unverifiedHint(report: VerifyReport): string | undefined {
  const stale = report.signatures.filter(
    (s) => s.status === "invalid" && /does not match/.test(s.reason ?? ""),
  );
  const resign = stale.map((s) => s.key.slice("_sigs/".length, -".json".length));
  // Keys a stale signature's globs select are covered again once it is re-signed.
  const resigned = new Set(stale.flatMap((s) => s.covers));
  const uncoveredParts = new Set<string>();
  const topLevel: string[] = [];
  for (const key of report.uncovered.filter((k) => !resigned.has(k))) {
    const part = partOf(key);
    if (part === undefined) topLevel.push(key);
    else if (!resign.includes(part)) uncoveredParts.add(part);
  }
  const steps: string[] = [];
  const sign = (part: string) => `statecast sign --part ${part} --key KEY`;
  if (resign.length > 0) {
    steps.push(
      `re-sign ${resign.join(", ")} (their signed keys changed): ${resign.map(sign).join(" && ")}`,
    );
  }
  if (uncoveredParts.size > 0) {
    const parts = [...uncoveredParts];
    steps.push(`sign ${parts.join(", ")}: ${parts.map(sign).join(" && ")}`);
  }
  if (topLevel.length > 0) {
    const globs = topLevel.map((k) => `--include '${k}'`).join(" ");
    steps.push(
      `cover ${topLevel.join(", ")} in one signature, e.g. statecast sign --part bsp --include 'bsp/**' ${globs} --key KEY`,
    );
  }
  if (steps.length === 0) return undefined;
  return `to fix: ${steps.join("; ")}; then statecast commit and post again (KEY: a key the fleet trusts)`;
}
