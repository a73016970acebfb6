import type { SignatureReport, VerifyReport } from "@statecast/state";

function signatureLine(sig: SignatureReport): string {
  const detail = sig.status === "valid" ? `trusted by ${sig.trustedBy}` : (sig.reason ?? "");
  return `  ${sig.key}  ${sig.alg ?? "?"}  ${sig.status}: ${detail} (${sig.covers.length} keys)`;
}

/** Human lines for a verify report. */
export function verifyReportLines(label: string, report: VerifyReport): string[] {
  const verdict = report.ok ? "verified" : "NOT verified";
  const lines = [
    `${label}: ${verdict} (${report.mode} mode, ${report.signatures.length} signatures)`,
  ];
  lines.push(...report.signatures.map(signatureLine));
  if (report.signatures.length === 0) lines.push("  no signatures");
  if (report.uncovered.length > 0) {
    lines.push(`  keys not covered by a valid trusted signature (${report.uncovered.length}):`);
    lines.push(...report.uncovered.map((k) => `    ${k}`));
  }
  return lines;
}
