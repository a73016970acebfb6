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

/** Parts (containers and the BSP) and signature files named by a state's keys. */
function partsOf(state: Record<string, unknown>): { parts: string[]; signatures: string[] } {
  const keys = Object.keys(state);
  const parts = new Set(
    keys
      .filter((k) => k.endsWith("/run.json") || k.startsWith("bsp/"))
      .map((k) => k.split("/")[0] as string),
  );
  return { parts: [...parts].sort(), signatures: keys.filter((k) => k.startsWith("_sigs/")) };
}

function RevisionRow(props: { revision: Revision }) {
  const r = props.revision;
  const [open, setOpen] = useState(false);
  const state = useLoad(
    () =>
      open
        ? api<{ state: Record<string, unknown> }>(
            `/v1/fleets/${encodeURIComponent(r.fleet)}/revisions/${r.number}`,
          )
        : Promise.resolve(undefined),
    `${r.fleet}/${r.number}/${open}`,
  );
  const info = state.data && partsOf(state.data.state);
  return (
    <li>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        #{r.number}
      </button>{" "}
      {r.message || "(no message)"}{" "}
      <span class="muted">
        by {r.author}, {new Date(r.postedAt).toLocaleString()}
      </span>
      {info && (
        <div class="detail">
          Parts: {info.parts.join(", ") || "—"} · Signatures:{" "}
          {info.signatures.length === 0
            ? "unsigned"
            : info.signatures.map((s) => s.slice(6)).join(", ")}
        </div>
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
