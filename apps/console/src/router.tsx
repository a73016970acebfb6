import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

const BASE = "/console";
const listeners = new Set<() => void>();

/** The path below /console (`/`, `/rollouts/r1`, …) and its query string. */
export function currentRoute(): { path: string; search: URLSearchParams } {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "/";
  return { path: path || "/", search: new URLSearchParams(location.search) };
}

export function navigate(to: string, replace = false): void {
  const url = `${BASE}${to}`;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const listener of listeners) listener();
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    listeners.add(update);
    addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

export function Link(props: { to: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={`${BASE}${props.to}`}
      class={props.class}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
