import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { followEvents, type StreamedEvent } from "./events";

export type Loaded<T> = { data: T | undefined; error: string | undefined; reload: () => void };

/** Loads once per change of `key`, and again on `reload()`; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const latest = useRef(load);
  latest.current = load;
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    latest.current().then(
      (value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      },
      (e: unknown) => mine === generation.current && setError((e as Error).message),
    );
  }, []);
  useEffect(() => {
    setData(undefined);
    reload();
  }, [key]);
  return { data, error, reload };
}

/**
 * Calls `onChange` when the event stream (filtered by `filter`) delivers an event, at most every
 * `ms` (a burst of device reports becomes one refresh). `null` follows nothing.
 */
export function useLive(
  filter: string | null,
  onChange: (event: StreamedEvent) => void,
  ms = 250,
): boolean {
  const [connected, setConnected] = useState(false);
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    if (filter === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: StreamedEvent | undefined;
    const stop = followEvents(
      filter,
      (event) => {
        last = event;
        timer ??= setTimeout(() => {
          timer = undefined;
          if (last) callback.current(last);
        }, ms);
      },
      () => setConnected(true),
    );
    return () => {
      stop();
      clearTimeout(timer);
      setConnected(false);
    };
  }, [filter, ms]);
  return connected;
}
