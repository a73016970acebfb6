// `npx tsx bench/fleet/profile-summary.ts <file.cpuprofile> [top]`: where a V8 CPU profile's time
// went — self time by function and by file (node_modules package or source file), largest first,
// then the time spent inside each function and everything it called (inclusive), which names the
// caller a cost belongs to (a view computed per read, a transaction per heartbeat).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const top = Number(topArg ?? 20);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = profile.endTime - profile.startTime;
const where = (url: string) => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith("node:")) return url;
  const src = /\/(apps|libs)\/(.*)$/.exec(url);
  return src ? `${src[1]}/${src[2]}` : url || "(native)";
};
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
const IDLE = ["(idle)", "(program)"];
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame || IDLE.includes(frame.functionName)) continue;
  const name = `${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const f = where(frame.url);
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const busy = [...selfUs.entries()]
  .filter(([id]) => !IDLE.includes(byId.get(id)?.callFrame.functionName ?? ""))
  .reduce((a, [, us]) => a + us, 0);
const show = (title: string, table: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [name, us] of [...table.entries()].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`,
    );
};
console.log(
  `${file}: ${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s on the CPU (not idle)`,
);
// Inclusive: each sample counts once for every distinct function on its stack.
const parent = new Map<number, number>();
for (const node of profile.nodes)
  for (const child of node.children ?? []) parent.set(child, node.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  if (IDLE.includes(byId.get(id)?.callFrame.functionName ?? "")) continue;
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at)?.callFrame;
    if (!frame?.url || frame.url.startsWith("node:")) continue;
    const name = `${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
}
show("self time by file/package (share of CPU time)", byFile);
show("self time by function", byFunction);
show("inclusive time by function (itself and what it called; node internals left out)", inclusive);
