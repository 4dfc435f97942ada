// Small SVG charts drawn by hand: bars against targets, a funnel and columns over time.

const COLORS = ['#2f6fde', '#17a07a', '#e59b1b', '#c0392b', '#8e44ad', '#16a2b8', '#7f8c8d'];

// Drawn in chart units; narrow screens get fewer units so the text stays readable.
function chartWidth() {
  return typeof window !== 'undefined' && window.innerWidth < 600 ? 380 : 560;
}

function num(value) {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

function short(n) {
  if (n >= 1e7) return `${(n / 1e7).toFixed(1)} Cr`;
  if (n >= 1e5) return `${(n / 1e5).toFixed(1)} L`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

// rows: [{label, value, target?}] drawn as horizontal bars with a target tick.
export function TargetBars({ rows, title, valueLabel = 'achieved', targetLabel = 'target' }) {
  const max = Math.max(1, ...rows.flatMap((r) => [num(r.value), num(r.target)]));
  const rowH = 34;
  const width = chartWidth();
  const left = width < 500 ? 70 : 110;
  const plot = width - left - 70;
  const height = rows.length * rowH + 30;
  return (
    <figure className="fs-chart" aria-label={title}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {rows.map((r, i) => {
          const y = 10 + i * rowH;
          const w = (num(r.value) / max) * plot;
          const t = r.target === null || r.target === undefined ? null : left + (num(r.target) / max) * plot;
          return (
            <g key={r.label} className="fs-bar">
              <text x={left - 8} y={y + 16} textAnchor="end" className="fs-axis">{r.label}</text>
              <rect x={left} y={y + 4} width={Math.max(w, 1)} height={18} rx="3" fill={COLORS[0]} />
              {t !== null ? <line x1={t} x2={t} y1={y} y2={y + 26} stroke="#c0392b" strokeWidth="3" /> : null}
              <text x={left + Math.max(w, 1) + 6} y={y + 17} className="fs-value">{short(num(r.value))}</text>
            </g>
          );
        })}
        <g transform={`translate(${left}, ${height - 12})`} className="fs-legend">
          <rect width="12" height="10" fill={COLORS[0]} /><text x="16" y="9">{valueLabel}</text>
          <line x1="100" x2="100" y1="-1" y2="11" stroke="#c0392b" strokeWidth="3" /><text x="106" y="9">{targetLabel}</text>
        </g>
      </svg>
    </figure>
  );
}

// stages: [{label, count, value?}] as a centred funnel.
export function Funnel({ stages, title }) {
  const max = Math.max(1, ...stages.map((s) => num(s.count)));
  const width = chartWidth();
  const side = width < 500 ? 120 : 200;
  const rowH = 36;
  const height = stages.length * rowH + 8;
  return (
    <figure className="fs-chart" aria-label={title}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        {stages.map((s, i) => {
          const w = Math.max(24, (num(s.count) / max) * (width - side));
          const x = (width - side - w) / 2 + side / 2 + (width < 500 ? 20 : 0);
          const y = 4 + i * rowH;
          return (
            <g key={s.label} className="fs-stage">
              <rect x={x} y={y} width={w} height={rowH - 6} rx="4" fill={COLORS[i % COLORS.length]} />
              <text x={x + w / 2} y={y + 20} textAnchor="middle" className="fs-on-bar">{s.count}</text>
              <text x={4} y={y + 20} className="fs-axis">{s.label.replace('order_acceptance', 'accepted')}</text>
              {s.value !== undefined ? <text x={width - 8} y={y + 20} textAnchor="end" className="fs-axis">{short(num(s.value))}</text> : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

// points: [{label, value}] as vertical columns (orders per day, say).
export function Columns({ points, title }) {
  const max = Math.max(1, ...points.map((p) => num(p.value)));
  const width = chartWidth();
  const height = 200;
  const bottom = 170;
  const step = (width - 40) / Math.max(1, points.length);
  const every = Math.ceil(points.length / 8);
  return (
    <figure className="fs-chart" aria-label={title}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={title}>
        <line x1="30" x2={width - 5} y1={bottom} y2={bottom} stroke="#999" />
        <text x="4" y="14" className="fs-axis">{short(max)}</text>
        {points.map((p, i) => {
          const h = (num(p.value) / max) * (bottom - 20);
          const x = 34 + i * step;
          return (
            <g key={p.label}>
              <rect x={x} y={bottom - h} width={Math.max(2, step - 4)} height={h} fill={COLORS[1]} rx="2">
                <title>{`${p.label}: ${p.value}`}</title>
              </rect>
              {i % every === 0 ? <text x={x} y={bottom + 16} className="fs-axis fs-small">{p.label.slice(5)}</text> : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
