/**
 * Inline SVG charts for the report: no script, no external request, colours from the report
 * stylesheet's classes so screen and print agree. Each chart is drawn only when it has data.
 */
import { escapeHtml } from './escape';

export interface Segment {
  value: number;
  /** CSS class giving the fill (seg-pass, seg-fail, …). */
  cls: string;
  label: string;
}

export interface BarRow {
  label: string;
  segments: Segment[];
  /** Text at the end of the bar (a count, a size). */
  note: string;
}

const WIDTH = 680;
const LABEL_W = 170;
const NOTE_W = 110;
const ROW_H = 22;
const BAR_H = 14;

/** Horizontal bars, each split into coloured segments, scaled to the largest total. */
export function barChart(
  title: string,
  rows: BarRow[],
  legend: { cls: string; label: string }[] = [],
): string {
  if (rows.length === 0) return '';
  const max = Math.max(1, ...rows.map((r) => r.segments.reduce((s, x) => s + x.value, 0)));
  const plotW = WIDTH - LABEL_W - NOTE_W;
  const legendH = legend.length ? 22 : 0;
  const height = rows.length * ROW_H + legendH + 4;
  const body = rows.map((r, i) => {
    const y = legendH + i * ROW_H;
    let x = LABEL_W;
    const rects = r.segments
      .filter((s) => s.value > 0)
      .map((s) => {
        const w = Math.max(1, (s.value / max) * plotW);
        const rect = `<rect class="${s.cls}" x="${x.toFixed(1)}" y="${y + (ROW_H - BAR_H) / 2}" width="${w.toFixed(1)}" height="${BAR_H}"><title>${escapeHtml(`${r.label}: ${s.label} ${s.value}`)}</title></rect>`;
        x += w;
        return rect;
      })
      .join('');
    return (
      `<text class="chart-label" x="${LABEL_W - 8}" y="${y + ROW_H / 2 + 4}" text-anchor="end">${escapeHtml(clip(r.label, 26))}</text>` +
      rects +
      `<text class="chart-note" x="${x + 6}" y="${y + ROW_H / 2 + 4}">${escapeHtml(r.note)}</text>`
    );
  });
  const legendSvg = legend
    .map((l, i) => {
      const x = LABEL_W + i * 118;
      return `<rect class="${l.cls}" x="${x}" y="4" width="10" height="10"/><text class="chart-note" x="${x + 14}" y="13">${escapeHtml(l.label)}</text>`;
    })
    .join('');
  return (
    `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}">` +
    `${legendSvg}${body.join('')}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`
  );
}

/** One square per checklist item, coloured by status, numbered. */
export function statusStrip(items: { n: number; cls: string; label: string }[]): string {
  if (items.length === 0) return '';
  const size = 30;
  const gap = 6;
  const width = items.length * (size + gap);
  const cells = items
    .map((it, i) => {
      const x = i * (size + gap);
      return `<g><rect class="${it.cls}" x="${x}" y="0" width="${size}" height="${size}" rx="4"><title>${escapeHtml(`${it.n}. ${it.label}`)}</title></rect><text class="strip-n" x="${x + size / 2}" y="${size / 2 + 4}" text-anchor="middle">${it.n}</text></g>`;
    })
    .join('');
  return `<svg class="strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${size}" width="${width}" height="${size}" role="img" aria-label="checklist status">${cells}</svg>`;
}

function clip(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
