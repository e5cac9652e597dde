import { apiJson } from './api.ts';
import type { Usage } from './api-types.ts';
import { type Bar, drawBars } from './bar-chart.ts';
import { byId } from './dom.ts';
import { formatCount } from './units.ts';

/** Credits left and characters spoken per day and per model (`GET /v1/usage`, the last 30 days). */
const refreshButton = byId('usage-refresh', HTMLButtonElement);
const credits = byId('credits', HTMLElement);
const byDay = byId('usage-by-day', SVGSVGElement);
const byModel = byId('usage-by-model', SVGSVGElement);

const charts = new Map<SVGSVGElement, { bars: Bar[]; title: string; width: number }>();
/** The latest `x-credits-remaining` seen, for an API that does not answer `balance` yet. */
let creditsSeen: number | undefined;
/** Refreshes can overlap (a click while one runs): only the latest one draws. */
let latest = 0;

function draw(svg: SVGSVGElement, title: string, bars: Bar[]): void {
  charts.set(svg, { bars, title, width: svg.getBoundingClientRect().width });
  drawBars(svg, bars, title, 'characters');
}

function showCredits(balance: number | undefined): void {
  credits.textContent = balance === undefined ? '–' : formatCount(balance, 'credits');
}

export async function refreshUsage(): Promise<void> {
  const call = ++latest;
  const [days, models] = await Promise.all([apiJson<Usage>('/v1/usage?group_by=day'), apiJson<Usage>('/v1/usage?group_by=model')]);
  if (call !== latest) return;
  showCredits(days.balance ?? creditsSeen);
  draw(byDay, 'Characters per day', days.data.map((row) => ({ label: row.date ?? '', value: row.characters })));
  draw(byModel, 'Characters per model', models.data.map((row) => ({ label: row.model ?? '', value: row.characters })));
}

/** A speech answer's `x-credits-remaining`: what is left once its cost was reserved. */
export function noteCreditsRemaining(header: string | null): void {
  if (header === null || !Number.isFinite(Number(header))) return;
  creditsSeen = Number(header);
  showCredits(creditsSeen);
}

export function clearUsage(): void {
  creditsSeen = undefined;
  latest++;
  showCredits(undefined);
  draw(byDay, 'Characters per day', []);
  draw(byModel, 'Characters per model', []);
}

export function setupUsage(onError: (error: unknown) => void): void {
  refreshButton.addEventListener('click', () => refreshUsage().catch(onError));
  // Only a new width needs new rows (drawing changes the height, which must not draw again).
  const resized = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const chart = charts.get(target as SVGSVGElement);
      if (chart && chart.width !== target.getBoundingClientRect().width) draw(target as SVGSVGElement, chart.title, chart.bars);
    }
  });
  for (const svg of [byDay, byModel]) resized.observe(svg);
}
