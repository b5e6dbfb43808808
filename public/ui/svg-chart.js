// Small SVG charts drawn in the page itself (no chart library, no CDN: the CSP allows only this origin).
// Every label goes in as text content, never as markup.
const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#1f6feb', '#c0392b', '#2e7d32', '#b26a00', '#6a1b9a', '#00838f', '#5d4037', '#ad1457'];

function svg(tag, attrs = {}, text) {
  const n = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = String(text);
  return n;
}

function frame(width, height, title) {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'chart' });
  root.append(svg('title', {}, title));
  return root;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function axes(root, { left, top, w, h, max, labels, fmt }) {
  for (let i = 0; i <= 4; i++) {
    const y = top + h - (h * i) / 4;
    root.append(svg('line', { x1: left, x2: left + w, y1: y, y2: y, stroke: '#e3e8ee' }));
    root.append(
      svg(
        'text',
        { x: left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6776' },
        fmt((max * i) / 4),
      ),
    );
  }
  const step = Math.max(1, Math.ceil(labels.length / 16));
  labels.forEach((l, i) => {
    if (i % step !== 0) return;
    const x = left + (w * (i + 0.5)) / labels.length;
    root.append(svg('text', { x, y: top + h + 15, 'text-anchor': 'middle', 'font-size': 11, fill: '#5b6776' }, l));
  });
}

function legend(root, names, x, y) {
  names.forEach((name, i) => {
    root.append(svg('rect', { x: x + i * 110, y: y - 9, width: 10, height: 10, fill: COLORS[i % COLORS.length] }));
    root.append(svg('text', { x: x + i * 110 + 14, y, 'font-size': 12, fill: '#1d2733' }, name));
  });
}

/**
 * Grouped bars: `labels` along the x axis, one bar per series and label.
 * series: [{ name, values: number[] }]
 */
export function barChart({ title, labels, series, width = 720, height = 240, fmt = (v) => String(Math.round(v)) }) {
  const root = frame(width, height, title);
  const left = 44;
  const top = 24;
  const w = width - left - 12;
  const h = height - top - 30;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  axes(root, { left, top, w, h, max, labels, fmt });
  const slot = w / Math.max(1, labels.length);
  const bw = Math.max(1, (slot * 0.8) / Math.max(1, series.length));
  series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      const bh = (h * v) / max;
      const bar = svg('rect', {
        x: left + slot * i + slot * 0.1 + bw * si,
        y: top + h - bh,
        width: bw,
        height: bh,
        fill: COLORS[si % COLORS.length],
        class: 'bar',
      });
      bar.append(svg('title', {}, `${labels[i]} ${s.name}: ${fmt(v)}`));
      root.append(bar);
    });
  });
  legend(
    root,
    series.map((s) => s.name),
    left,
    14,
  );
  return root;
}

/** Lines over `labels`; a null value leaves a gap. series: [{ name, values: (number|null)[] }] */
export function lineChart({
  title,
  labels,
  series,
  width = 360,
  height = 180,
  max,
  fmt = (v) => String(Math.round(v)),
}) {
  const root = frame(width, height, title);
  const left = 40;
  const top = 24;
  const w = width - left - 10;
  const h = height - top - 30;
  const top1 = max ?? niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
  axes(root, { left, top, w, h, max: top1, labels, fmt });
  series.forEach((s, si) => {
    const color = COLORS[si % COLORS.length];
    let d = '';
    s.values.forEach((v, i) => {
      if (v === null) return;
      const x = left + (w * (i + 0.5)) / labels.length;
      const y = top + h - (h * v) / top1;
      d += `${d && s.values[i - 1] !== null ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
      const dot = svg('circle', { cx: x, cy: y, r: 3, fill: color, class: 'point' });
      dot.append(svg('title', {}, `${labels[i]} ${s.name}: ${fmt(v)}`));
      root.append(dot);
    });
    if (d) root.append(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, class: 'line' }));
  });
  if (series.length > 1)
    legend(
      root,
      series.map((s) => s.name),
      left,
      14,
    );
  return root;
}
