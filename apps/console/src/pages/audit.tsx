import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api";
import { Timeline } from "../components/timeline";
import { followEvents } from "../events";
import { useLoad } from "../hooks";
import { currentRoute } from "../router";
import type { EventView } from "../types";

type Filters = {
  device: string;
  rollout: string;
  fleet: string;
  type: string;
  actor: string;
  from: string;
  to: string;
};
const EMPTY: Filters = {
  device: "",
  rollout: "",
  fleet: "",
  type: "",
  actor: "",
  from: "",
  to: "",
};
const iso = (local: string) => (local ? new Date(local).toISOString() : "");

/** The filters of GET /v1/events, export links and a live tail of the same filter. */
export function AuditPage() {
  const initial = { ...EMPTY, rollout: currentRoute().search.get("rollout") ?? "" };
  const [draft, setDraft] = useState<Filters>(initial);
  const [filters, setFilters] = useState<Filters>(initial);
  const [tail, setTail] = useState<EventView[]>([]);
  const [live, setLive] = useState(false);
  const params = { ...filters, from: iso(filters.from), to: iso(filters.to) };
  const search = query(params);
  const page = useLoad(
    () => api<{ items: EventView[] }>(`/v1/events${query({ ...params, limit: 200 })}`),
    search,
  );
  useEffect(() => {
    setTail([]);
    if (!live) return;
    return followEvents(search, (event) =>
      setTail((t) => [event as EventView, ...t].slice(0, 200)),
    );
  }, [search, live]);
  const bind = (name: keyof Filters) => ({
    id: `audit-${name}`,
    value: draft[name],
    onInput: (e: { currentTarget: { value: string } }) =>
      setDraft({ ...draft, [name]: e.currentTarget.value }),
  });
  const field = (name: keyof Filters, label: string) => (
    <>
      <label for={`audit-${name}`}>{label}</label>
      <input type="text" {...bind(name)} />
    </>
  );
  const when = (name: "from" | "to", label: string) => (
    <>
      <label for={`audit-${name}`}>{label}</label>
      <input type="datetime-local" step="1" {...bind(name)} />
    </>
  );
  return (
    <>
      <h1>Audit</h1>
      <form
        class="filters"
        aria-label="Event filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        {field("device", "Device")}
        {field("rollout", "Rollout")}
        {field("fleet", "Fleet")}
        {field("type", "Types (comma-separated)")}
        {field("actor", "Actor")}
        {when("from", "From")}
        {when("to", "To")}
        <button type="submit">Apply</button>
      </form>
      <p class="exports">
        Export this filter: <ExportLink search={search} format="ndjson" /> ·{" "}
        <ExportLink search={search} format="csv" />
      </p>
      <label class="check">
        <input type="checkbox" checked={live} onChange={(e) => setLive(e.currentTarget.checked)} />{" "}
        Live tail
      </label>
      {live && (
        <section aria-label="Live tail">
          <h2>Live ({tail.length})</h2>
          <Timeline events={tail} />
        </section>
      )}
      {page.error && (
        <p role="alert" class="error">
          {page.error}
        </p>
      )}
      <h2>History</h2>
      {page.data && <Timeline events={page.data.items} />}
    </>
  );
}

/** A download needs the token, so the file is fetched with it and handed over as a blob. */
function ExportLink(props: { search: string; format: "ndjson" | "csv" }) {
  const download = async (event: Event) => {
    event.preventDefault();
    const separator = props.search ? "&" : "?";
    const response = await fetch(`/v1/events${props.search}${separator}format=${props.format}`, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem("statecast.token")}` },
    });
    const url = URL.createObjectURL(await response.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = `events.${props.format}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <a href={`/v1/events${props.search}`} onClick={download}>
      {props.format.toUpperCase()}
    </a>
  );
}
