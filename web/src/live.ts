import { useEffect, useRef } from 'react';

/**
 * Calls `onChange` when the server says incidents (or the warning level) changed — server-sent
 * events from /api/events — and every `fallbackMs` in case the stream is down.
 */
export function useLive(onChange: (incidentIds: string[] | null) => void, fallbackMs = 30_000) {
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    const es = new EventSource('/api/events');
    es.addEventListener('incidents', (e) => cb.current(JSON.parse((e as MessageEvent<string>).data) as string[]));
    es.addEventListener('warning', () => cb.current(null));
    const timer = setInterval(() => cb.current(null), fallbackMs);
    return () => {
      es.close();
      clearInterval(timer);
    };
  }, [fallbackMs]);
}
