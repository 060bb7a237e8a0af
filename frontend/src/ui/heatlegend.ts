/** The heat scale drawn over the graph whenever elements are coloured by heat. */
import { clear, h } from "../dom";
import { formatScaleValue, heatScale, type HeatRange } from "../legend";

export function renderHeatLegend(root: HTMLElement, range: HeatRange | null): void {
  clear(root);
  root.hidden = range === null;
  if (!range) return;
  const scale = heatScale(range);
  const gradient = `linear-gradient(to right, ${scale.stops.join(", ")})`;
  root.append(
    h("div", { class: "heat-title" }, scale.title),
    h("div", { class: "heat-bar", style: `background: ${gradient}`, role: "img", "aria-label": `from ${formatScaleValue(scale.low)} (light yellow) to ${formatScaleValue(scale.high)} (dark red)` }),
    h("div", { class: "heat-ends" }, h("span", {}, `${formatScaleValue(scale.low)} low`), h("span", {}, `${formatScaleValue(scale.high)} high`)),
  );
}
