import { formatCount } from './units.ts';

/**
 * A bar chart as inline SVG: one row per bar, its label and value on a line above a bar whose
 * length is its share of the largest. Laid out in the SVG's own pixels, so text stays its size
 * on any screen; drawn again when the SVG's width changes.
 */
export interface Bar {
  label: string;
  value: number;
}

const SVG = 'http://www.w3.org/2000/svg';
const ROW_HEIGHT = 40;
const BAR_HEIGHT = 14;

function svgElement<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function drawBars(svg: SVGSVGElement, bars: Bar[], title: string, unit: string): void {
  const width = Math.max(200, Math.round(svg.getBoundingClientRect().width) || 320);
  const height = Math.max(1, bars.length) * ROW_HEIGHT;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('height', String(height));
  svg.setAttribute('aria-label', bars.length ? `${title}: ${bars.map((bar) => `${bar.label} ${formatCount(bar.value, unit)}`).join('; ')}` : `${title}: none yet`);
  const largest = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars.map((bar, i) => {
    const top = i * ROW_HEIGHT;
    const row = svgElement('g', {});
    const rect = svgElement('rect', {
      x: 0,
      y: top + 20,
      width: Math.max(2, (bar.value / largest) * width),
      height: BAR_HEIGHT,
      rx: 3,
      class: 'bar',
      'data-characters': bar.value,
      'data-label': bar.label,
    });
    rect.append(svgElement('title', {}, `${bar.label}: ${formatCount(bar.value, unit)}`));
    row.append(
      svgElement('text', { x: 0, y: top + 14, class: 'label' }, bar.label),
      svgElement('text', { x: width, y: top + 14, class: 'value', 'text-anchor': 'end' }, formatCount(bar.value, unit)),
      rect,
    );
    return row;
  });
  svg.replaceChildren(...(rows.length ? rows : [svgElement('text', { x: 0, y: 24, class: 'label' }, 'Nothing spoken yet in the last 30 days.')]));
}
