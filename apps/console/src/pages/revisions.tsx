import { useState } from "preact/hooks";
import { api, query } from "../api";
import { useLoad } from "../hooks";

type Revision = {
  fleet: string;
  number: number;
  digest: string;
  author: string;
  message: string;
  postedAt: string;
};
type Diff = {
  parts: { added: string[]; removed: string[]; changed: string[] };
  reboot: boolean;
  rebootReasons: string[];
  restart: string[];
};

type Signatures = {
  ok: boolean;
  mode: string;
  signatures: { key: string; status: string; reason?: string; trustedBy?: string }[];
  uncovered: string[];
};

/** Parts (containers and the BSP) named by a state's keys. */
function partsOf(state: Record<string, unknown>): string[] {
  const parts = new Set(
    Object.keys(state)
      .filter((k) => k.endsWith("/run.json") || k.startsWith("bsp/"))
      .map((k) => k.split("/")[0] as string),
  );
  return [...parts].sort();
}

/** The verdict of GET …/signatures: under the fleet's trust policy as it is now. */
function SignatureStatus(props: { report: Signatures }) {
  const { report } = props;
  const each = report.signatures.map(
    (s) => `${s.key.slice(6)} ${s.status}${s.trustedBy ? ` (trusted: ${s.trustedBy})` : ""}`,
  );
  return (
    <span data-testid="signatures">
      {report.ok ? "verified" : "NOT verified"} under the {report.mode} policy
      {each.length > 0 ? `: ${each.join(", ")}` : ": unsigned"}
      {report.uncovered.length > 0 && `; not covered: ${report.uncovered.join(", ")}`}
    </span>
  );
}

function RevisionRow(props: { revision: Revision }) {
  const r = props.revision;
  const [open, setOpen] = useState(false);
  const path = `/v1/fleets/${encodeURIComponent(r.fleet)}/revisions/${r.number}`;
  const details = useLoad(
    async () =>
      open
        ? Promise.all([
            api<{ state: Record<string, unknown> }>(path),
            api<Signatures>(`${path}/signatures`),
          ])
        : undefined,
    `${path}/${open}`,
  );
  const [revision, signatures] = details.data ?? [];
  return (
    <li>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        #{r.number}
      </button>{" "}
      {r.message || "(no message)"}{" "}
      <span class="muted">
        by {r.author}, {new Date(r.postedAt).toLocaleString()}
      </span>
      {revision && signatures && (
        <div class="detail">
          Parts: {partsOf(revision.state).join(", ") || "—"} · Signatures:{" "}
          <SignatureStatus report={signatures} />
        </div>
      )}
      {details.error && (
        <p role="alert" class="error">
          {details.error}
        </p>
      )}
    </li>
  );
}

export function RevisionsPage() {
  const [fleet, setFleet] = useState("");
  const [shown, setShown] = useState("");
  const [pair, setPair] = useState({ a: "", b: "" });
  const [diff, setDiff] = useState<Diff>();
  const [error, setError] = useState<string>();
  const list = useLoad(
    () =>
      shown
        ? api<Revision[]>(
            `/v1/fleets/${encodeURIComponent(shown)}/revisions${query({ limit: 100 })}`,
          )
        : Promise.resolve([]),
    shown,
  );
  const compare = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      setDiff(
        await api<Diff>(
          `/v1/fleets/${encodeURIComponent(shown)}/revisions/${pair.a}/diff/${pair.b}`,
        ),
      );
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <>
      <h1>Revisions</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setShown(fleet);
        }}
        aria-label="Choose fleet"
      >
        <label for="rev-fleet">Fleet</label>
        <input
          id="rev-fleet"
          required
          value={fleet}
          onInput={(e) => setFleet(e.currentTarget.value)}
        />
        <button type="submit">Show</button>
      </form>
      {list.error && (
        <p role="alert" class="error">
          {list.error}
        </p>
      )}
      <ol class="revisions">
        {(list.data ?? []).map((r) => (
          <RevisionRow key={r.number} revision={r} />
        ))}
      </ol>
      {shown && (
        <form class="filters" onSubmit={compare} aria-label="Diff">
          <label for="diff-a">From</label>
          <input
            id="diff-a"
            type="number"
            min="1"
            required
            value={pair.a}
            onInput={(e) => setPair({ ...pair, a: e.currentTarget.value })}
          />
          <label for="diff-b">To</label>
          <input
            id="diff-b"
            type="number"
            min="1"
            required
            value={pair.b}
            onInput={(e) => setPair({ ...pair, b: e.currentTarget.value })}
          />
          <button type="submit">Diff</button>
        </form>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {diff && (
        <section aria-label="Diff result" class="detail">
          <p>
            Parts added: {diff.parts.added.join(", ") || "—"}; removed:{" "}
            {diff.parts.removed.join(", ") || "—"}; changed: {diff.parts.changed.join(", ") || "—"}
          </p>
          <p data-testid="reboot">
            {diff.reboot
              ? `Reboots the device: ${diff.rebootReasons.join("; ")}`
              : `No reboot; restarts: ${diff.restart.join(", ") || "nothing"}`}
          </p>
        </section>
      )}
    </>
  );
}
