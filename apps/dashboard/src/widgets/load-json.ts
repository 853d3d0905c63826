/**
 * Loads a widget's JSON from the dashboard: `onData` gets the body of a 2xx answer, `onError` the
 * API envelope's `error.message` (or `HTTP <status>`, or the network error) otherwise. Returns the
 * abort function, the cleanup of the `$effect` that started it: nothing is reported once aborted,
 * so a stale answer never overwrites the one for newer attributes.
 */
export function loadJson<T>(url: string, onData: (body: T) => void, onError: (message: string) => void): () => void {
  const controller = new AbortController();
  fetch(url, { signal: controller.signal })
    .then(async (res) => {
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      const body = (await res.json()) as T;
      if (!controller.signal.aborted) onData(body);
    })
    .catch((err: unknown) => {
      if (!controller.signal.aborted) onError(err instanceof Error ? err.message : String(err));
    });
  return () => controller.abort();
}
