/**
 * Reads the sample lines of a Prometheus text body into `series → value`, the series written
 * as exposed (`name{label="v",...}`). For tests and tooling reading `/metrics`; comments skipped.
 */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const split = line.lastIndexOf(" ");
    if (split <= 0) throw new Error(`not a sample line: ${line.slice(0, 200)}`);
    const raw = line.slice(split + 1);
    // Prometheus reads the special values case-insensitively (prom-client writes `Nan`).
    const special = raw.toLowerCase();
    const value = special === "+inf" ? Infinity : special === "-inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && special !== "nan") {
      throw new Error(`sample value "${raw}" is not a number: ${line.slice(0, 200)}`);
    }
    samples.set(line.slice(0, split), value);
  }
  return samples;
}

/** The `# TYPE` lines of a body: family name → type. */
export function parseFamilyTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    types.set(match[1] ?? "", match[2] ?? "");
  }
  return types;
}
