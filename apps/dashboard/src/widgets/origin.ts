/**
 * Where the widgets fetch their JSON: the dashboard that served the script. A classic
 * `<script src=…>` is `document.currentScript` while it first runs, so it is read once at load.
 */
const script = typeof document !== 'undefined' ? document.currentScript : null;
export const DASHBOARD_ORIGIN =
  script instanceof HTMLScriptElement && script.src ? new URL(script.src).origin : globalThis.location?.origin;

/** The origin a widget talks to: its `api` attribute when given, else the dashboard's. */
export function originOf(api: string | undefined): string {
  return (api || DASHBOARD_ORIGIN || '').replace(/\/$/, '');
}
