/**
 * Small inline SVG charts for the HTML report: no script, no CDN, so the page renders the same offline, in a mail
 * client's preview or as a CI artifact. Every text goes through `escapeXml`.
 */

const WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { top: 28, right: 16, bottom: 44, left: 52 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLORS = { bar: '#4c78a8', up: '#2e7d32', down: '#c62828', line: '#f58518', grid: '#ddd', text: '#333' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** A histogram of counts over equal bins from `min` to `max`. */
export function histogramSvg(options: { title: string; counts: readonly number[]; min: number; max: number; xLabel: string }): string {
  const { counts } = options;
  const top = Math.max(1, ...counts);
  const barWidth = PLOT_WIDTH / Math.max(1, counts.length);
  const bars = counts
    .map((count, index) => {
      const height = (count / top) * PLOT_HEIGHT;
      const x = MARGIN.left + index * barWidth;
      const from = options.min + ((options.max - options.min) * index) / counts.length;
      return `<rect class="bar" x="${x + 1}" y="${MARGIN.top + PLOT_HEIGHT - height}" width="${Math.max(1, barWidth - 2)}" height="${height}" fill="${COLORS.bar}"><title>${escapeXml(`${formatNumber(from)}…: ${count}`)}</title></rect>`;
    })
    .join('');
  const ticks = [options.min, (options.min + options.max) / 2, options.max]
    .map((value, index) => label(MARGIN.left + (PLOT_WIDTH * index) / 2, HEIGHT - MARGIN.bottom + 16, formatNumber(value), 'middle'))
    .join('');
  return frame(options.title, `${yAxis(0, top, true)}${bars}${ticks}${label(MARGIN.left + PLOT_WIDTH / 2, HEIGHT - 8, options.xLabel, 'middle')}`);
}

/** One bar per label (a category's mean), on a shared 0-based scale; `count` shows under each label. */
export function barChartSvg(options: { title: string; bars: readonly { label: string; value: number; count?: number }[]; max?: number }): string {
  const top = options.max ?? Math.max(1e-9, ...options.bars.map((bar) => bar.value));
  const slot = PLOT_WIDTH / Math.max(1, options.bars.length);
  const bars = options.bars
    .map((bar, index) => {
      const height = (Math.max(0, bar.value) / top) * PLOT_HEIGHT;
      const x = MARGIN.left + index * slot;
      const name = shorten(bar.label, Math.max(4, Math.floor(slot / 6)));
      return (
        `<rect class="bar" x="${x + slot * 0.15}" y="${MARGIN.top + PLOT_HEIGHT - height}" width="${slot * 0.7}" height="${height}" fill="${COLORS.bar}">` +
        `<title>${escapeXml(`${bar.label}: ${formatNumber(bar.value)}${bar.count === undefined ? '' : ` (n=${bar.count})`}`)}</title></rect>` +
        label(x + slot / 2, MARGIN.top + PLOT_HEIGHT - height - 4, formatNumber(bar.value), 'middle') +
        label(x + slot / 2, HEIGHT - MARGIN.bottom + 16, name, 'middle')
      );
    })
    .join('');
  return frame(options.title, `${yAxis(0, top, false)}${bars}`);
}

/** Deltas around a zero line: green up, red down (for lower-is-better metrics the caller flips `good`). */
export function deltaChartSvg(options: { title: string; bars: readonly { label: string; delta: number; good: boolean }[] }): string {
  const extent = Math.max(1e-9, ...options.bars.map((bar) => Math.abs(bar.delta)));
  const zero = MARGIN.top + PLOT_HEIGHT / 2;
  const slot = PLOT_WIDTH / Math.max(1, options.bars.length);
  const bars = options.bars
    .map((bar, index) => {
      const height = (Math.abs(bar.delta) / extent) * (PLOT_HEIGHT / 2);
      const x = MARGIN.left + index * slot;
      const y = bar.delta >= 0 ? zero - height : zero;
      return (
        `<rect class="bar" x="${x + slot * 0.2}" y="${y}" width="${slot * 0.6}" height="${Math.max(height, 0.5)}" fill="${bar.good ? COLORS.up : COLORS.down}">` +
        `<title>${escapeXml(`${bar.label}: ${bar.delta >= 0 ? '+' : ''}${formatNumber(bar.delta)}`)}</title></rect>` +
        label(x + slot / 2, HEIGHT - MARGIN.bottom + 16, shorten(bar.label, Math.max(4, Math.floor(slot / 6))), 'middle')
      );
    })
    .join('');
  const axis = `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${zero}" y2="${zero}" stroke="${COLORS.text}"/>`;
  const scale = label(MARGIN.left - 6, MARGIN.top + 4, `+${formatNumber(extent)}`, 'end') + label(MARGIN.left - 6, MARGIN.top + PLOT_HEIGHT, `−${formatNumber(extent)}`, 'end');
  return frame(options.title, `${axis}${scale}${bars}`);
}

/** Lines across runs, one per series, on a shared scale; x is the run's position (oldest left). */
export function lineChartSvg(options: { title: string; xLabels: readonly string[]; series: readonly { name: string; values: readonly (number | null)[] }[] }): string {
  const values = options.series.flatMap((series) => series.values.filter((value): value is number => value !== null));
  const low = Math.min(0, ...values);
  const high = Math.max(1e-9, ...values);
  const step = PLOT_WIDTH / Math.max(1, options.xLabels.length - 1);
  const y = (value: number) => MARGIN.top + PLOT_HEIGHT - ((value - low) / (high - low)) * PLOT_HEIGHT;
  const palette = [COLORS.bar, COLORS.line, COLORS.up, COLORS.down, '#8e44ad', '#16a085'];
  const lines = options.series
    .map((series, index) => {
      const color = palette[index % palette.length]!;
      const points = series.values
        .map((value, position) => (value === null ? null : { x: MARGIN.left + position * step, y: y(value), value }))
        .filter((point): point is { x: number; y: number; value: number } => point !== null);
      const path = points.map((point, position) => `${position === 0 ? 'M' : 'L'}${point.x},${point.y}`).join(' ');
      const dots = points.map((point) => `<circle cx="${point.x}" cy="${point.y}" r="3" fill="${color}"><title>${escapeXml(`${series.name}: ${formatNumber(point.value)}`)}</title></circle>`).join('');
      const legend = label(MARGIN.left + 4 + index * 110, 14, series.name, 'start', color);
      return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>${dots}${legend}`;
    })
    .join('');
  const xTicks = options.xLabels.map((text, position) => label(MARGIN.left + position * step, HEIGHT - MARGIN.bottom + 16, text, 'middle')).join('');
  return frame('', `${yAxis(low, high, false)}${lines}${xTicks}${label(WIDTH / 2, HEIGHT - 8, options.title, 'middle')}`);
}

function frame(title: string, body: string): string {
  const heading = title ? label(WIDTH / 2, 16, title, 'middle', COLORS.text, 'bold') : '';
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeXml(title)}">${heading}${body}</svg>`;
}

function yAxis(low: number, high: number, integers: boolean): string {
  return [0, 0.5, 1]
    .map((share) => {
      const value = low + (high - low) * share;
      const y = MARGIN.top + PLOT_HEIGHT - share * PLOT_HEIGHT;
      return `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>` +
        label(MARGIN.left - 6, y + 4, integers ? String(Math.round(value)) : formatNumber(value), 'end');
    })
    .join('');
}

function label(x: number, y: number, text: string, anchor: 'start' | 'middle' | 'end', color = COLORS.text, weight = 'normal'): string {
  return `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="11" font-weight="${weight}" fill="${color}">${escapeXml(text)}</text>`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Three significant digits, without exponent notation for report-sized numbers. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(1);
  return Number(value.toPrecision(3)).toString();
}
