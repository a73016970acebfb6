import { useState } from "preact/hooks";
import { api, query } from "../api";
import { useLive, useLoad } from "../hooks";
import { Link } from "../router";
import { type Device, revisionName } from "../types";

type Page = { items: Device[]; next: string | null };
type Filters = { tag: string; revision: string; status: string; presence: string };

const STATUSES = ["", "NEW", "QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING", "DONE", "UPDATED"];
const MORE = ["WONTGO", "ERROR", "CANCELLED"];
const PAGE_SIZE = 50;

/** Server-side paging (keyset, `after`) and filters; only the shown page is ever loaded. */
export function DevicesPage() {
  const [draft, setDraft] = useState<Filters>({ tag: "", revision: "", status: "", presence: "" });
  const [filters, setFilters] = useState(draft);
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const path = `/v1/devices${query({ ...filters, after, limit: PAGE_SIZE })}`;
  const page = useLoad(() => api<Page>(path), path);
  useLive(
    "?type=DeviceCameOnline,DeviceWentOffline,UpdateSucceeded,UpdateFailed",
    page.reload,
    2000,
  );
  const field = (name: keyof Filters) => ({
    id: `filter-${name}`,
    value: draft[name],
    onInput: (e: { currentTarget: { value: string } }) =>
      setDraft({ ...draft, [name]: e.currentTarget.value }),
  });
  const apply = (event: Event) => {
    event.preventDefault();
    setCursors([]);
    setFilters(draft);
  };
  return (
    <>
      <h1>Devices</h1>
      <form class="filters" onSubmit={apply} aria-label="Device filters">
        <label for="filter-tag">Tag</label>
        <input {...field("tag")} placeholder="site=berlin" />
        <label for="filter-revision">Revision</label>
        <input {...field("revision")} type="number" min="1" />
        <label for="filter-status">Last status</label>
        <select {...field("status")} onChange={field("status").onInput}>
          {[...STATUSES, ...MORE].map((s) => (
            <option key={s} value={s}>
              {s || "any"}
            </option>
          ))}
        </select>
        <label for="filter-presence">Online</label>
        <select {...field("presence")} onChange={field("presence").onInput}>
          <option value="">any</option>
          <option value="online">online</option>
          <option value="offline">offline</option>
        </select>
        <button type="submit">Filter</button>
      </form>
      {page.error && (
        <p role="alert" class="error">
          {page.error}
        </p>
      )}
      <table aria-label="Devices" data-testid="device-table">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Revision</th>
            <th scope="col">Target</th>
            <th scope="col">Last status</th>
            <th scope="col">Online</th>
            <th scope="col">Tags</th>
          </tr>
        </thead>
        <tbody>
          {(page.data?.items ?? []).map((d) => (
            <tr key={d.deviceId}>
              <td>
                <Link to={`/devices/${encodeURIComponent(d.deviceId)}`}>{d.deviceId}</Link>
              </td>
              <td>{revisionName(d.currentRevision)}</td>
              <td>{revisionName(d.target?.revision)}</td>
              <td>{d.lastStatus ?? "—"}</td>
              <td>{d.online ? "online" : "offline"}</td>
              <td>
                {Object.entries(d.tags)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={cursors.length === 0}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous
        </button>
        <span>Page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!page.data?.next}
          onClick={() => page.data?.next && setCursors([...cursors, page.data.next])}
        >
          Next
        </button>
      </nav>
    </>
  );
}
