import { formatRevision as revisionText } from "@statecast/contract";

/** Left-aligned columns separated by two spaces; the header row first. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `{site: "a", hw: "rpi"}` → `hw=rpi,site=a` ("-" when empty). */
export function formatTags(tags: Record<string, string>): string {
  const pairs = Object.entries(tags)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(",") : "-";
}

/** A revision reference `{fleet, number}` in its one text form, `fleet#number` ("-" when null). */
export function formatRevision(ref: unknown): string {
  if (typeof ref !== "object" || ref === null) return "-";
  const { fleet, number } = ref as { fleet?: unknown; number?: unknown };
  return revisionText({ fleet: String(fleet), number: Number(number) });
}

/** Collects a repeatable option's values. */
export function repeatable(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
