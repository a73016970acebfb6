import type { StateDiff } from "@statecast/state";

function section(title: string, items: string[], mark: string): string[] {
  return items.length === 0 ? [] : [`  ${title}:`, ...items.map((i) => `    ${mark} ${i}`)];
}

/** Human lines for a state diff. */
export function diffLines(a: string, b: string, diff: StateDiff): string[] {
  const changes = diff.keys.added.length + diff.keys.removed.length + diff.keys.changed.length;
  if (changes === 0) return [`${a} → ${b}: no changes`];
  const apply = diff.reboot
    ? `reboot needed (${diff.rebootReasons.join("; ")})`
    : diff.restart.length > 0
      ? `restart containers: ${diff.restart.join(", ")}`
      : "no restart needed";
  const named = (parts: string[]) => parts.map((p) => p || "(root)");
  return [
    `${a} → ${b}: ${changes} key changes; ${apply}`,
    ...section("parts added", named(diff.parts.added), "+"),
    ...section("parts removed", named(diff.parts.removed), "-"),
    ...section("parts changed", named(diff.parts.changed), "~"),
    ...section("keys added", diff.keys.added, "+"),
    ...section("keys removed", diff.keys.removed, "-"),
    ...section("keys changed", diff.keys.changed, "~"),
    ...section("objects added", diff.objects.added, "+"),
    ...section("objects removed", diff.objects.removed, "-"),
  ];
}
