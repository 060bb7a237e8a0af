/**
 * The time control (Preact): now, the model as it was on a past date, or as planned for a
 * future one. Choosing a date writes it into the view state (so the URL keeps it) and
 * reloads the view: the graph, the element reads and the questions' answers are asked
 * again for that date (`src/time.ts` holds the arguments they send).
 */
import { render } from "preact";
import { useState } from "preact/hooks";
import type { ExplorerContext } from "../context";
import { checkTime, setTime, timeLabel, timeOf, today, type TimeKind, type TimePoint, type TimeSupport } from "../time";
import "./time.css";

function TimeControl({ app, support, reload }: { app: ExplorerContext; support: TimeSupport; reload: () => Promise<void> }) {
  const shown = timeOf(app.state);
  const [kind, setKind] = useState<TimeKind>(shown.kind);
  const [date, setDate] = useState<string>(shown.date?.slice(0, 10) ?? "");
  const [error, setError] = useState<string | null>(null);

  const go = (t: TimePoint): void => {
    const why = checkTime(t);
    setError(why);
    if (why) return;
    setTime(app.state, t);
    document.body.toggleAttribute("data-asof", t.kind !== "now");
    app.commit(true);
    void reload().then(() => app.status(`Showing the model ${timeLabel(t)}.`));
  };
  const now = today();
  return (
    <span class="time-control" role="group" aria-label="Point in time">
      <label for="time-kind">Model</label>
      <select
        id="time-kind"
        value={kind}
        onChange={(ev) => {
          const k = (ev.target as HTMLSelectElement).value as TimeKind;
          setKind(k);
          if (k === "now") go({ kind: "now", date: null });
          else if (date) go({ kind: k, date });
        }}
      >
        <option value="now">now</option>
        {support.past ? <option value="past">as it was on</option> : null}
        {support.planned ? <option value="planned">as planned for</option> : null}
      </select>
      {kind !== "now" ? (
        <input
          type="date"
          id="time-date"
          aria-label={kind === "past" ? "Past date" : "Planned date"}
          value={date}
          max={kind === "past" ? now : undefined}
          min={kind === "planned" ? now : undefined}
          onChange={(ev) => {
            const d = (ev.target as HTMLInputElement).value;
            setDate(d);
            go({ kind, date: d });
          }}
        />
      ) : null}
      {shown.kind !== "now" ? (
        <span class="asof-banner" id="time-shown">
          {timeLabel(shown)}{" "}
          <button
            type="button"
            id="time-now"
            onClick={() => {
              setKind("now");
              go({ kind: "now", date: null });
            }}
          >
            Back to now
          </button>
        </span>
      ) : null}
      {error ? (
        <span class="error" role="alert" id="time-error">
          {error}
        </span>
      ) : null}
    </span>
  );
}

/**
 * Mount the control into `slot`; offered only where the server answers in time
 * (`support`), so no answer carries a date it was not computed for. `reload` asks the
 * whole view again (the App's load from the URL).
 */
export function mountTimeControl(app: ExplorerContext, slot: HTMLElement, support: TimeSupport, reload: () => Promise<void>): void {
  slot.hidden = !support.past && !support.planned;
  document.body.toggleAttribute("data-asof", timeOf(app.state).kind !== "now");
  render(<TimeControl app={app} support={support} reload={reload} />, slot);
}
