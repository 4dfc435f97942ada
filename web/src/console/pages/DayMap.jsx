// An engineer's day on a map: the track, stops and visits, offers and orders on a plain
// background with a scale bar; map tiles only where a tile server is configured.
import { useState } from 'react';
import { fit, positions, scaleBar, tileUrl, tilesFor } from '../mapGeometry.js';
import { hrefWith } from '../routes.js';
import { Filters, Loading, Section, Table, isoDay, useLoad } from '../ui.jsx';

// Drawn in map pixels; a narrow screen gets a narrower, taller drawing so labels stay legible.
function mapSize() {
  return window.innerWidth < 600 ? [420, 520] : [800, 520];
}
const MARKERS = { visit: '#17a07a', offer: '#8e44ad', approval: '#e59b1b', order: '#c0392b', stop: '#f39c12' };

// A tile URL template such as https://tiles.example/{z}/{x}/{y}.png, from the server's settings
// (FIELDSYNC_MAP_TILE_URL through /app-config.json) only: never from the page's URL.
export function tileTemplate() {
  try {
    const config = JSON.parse(window.localStorage.getItem('fieldsync.config') || '{}');
    return typeof config.map_tile_url === 'string' ? config.map_tile_url : '';
  } catch {
    return '';
  }
}

// Times in the zone the report counts the day in (the team's), whatever the browser's zone.
function time(value, zone = 'Asia/Kolkata') {
  if (!value) return '';
  try {
    return new Date(value).toLocaleTimeString('en-IN', { hour: '2-digit', minute: '2-digit', timeZone: zone });
  } catch {
    return new Date(value).toLocaleTimeString('en-IN', { hour: '2-digit', minute: '2-digit' });
  }
}

// Markers at one spot get their labels stacked instead of drawn over each other.
function labelRows(features, view) {
  const seen = new Map();
  return features.map((f) => {
    if (f.geometry.type !== 'Point') return 0;
    const [x, y] = view.toView(f.geometry.coordinates);
    const key = `${Math.round(x / 12)}:${Math.round(y / 12)}`;
    const n = seen.get(key) || 0;
    seen.set(key, n + 1);
    return n;
  });
}

function Feature({ feature, view, row, zone }) {
  const g = feature.geometry;
  const p = feature.properties || {};
  if (g.type === 'LineString') {
    const d = g.coordinates.map((c, i) => `${i ? 'L' : 'M'}${view.toView(c).map((n) => n.toFixed(1)).join(' ')}`).join('');
    return <path d={d} className="fs-track" fill="none" stroke="#2f6fde" strokeWidth="3" strokeLinejoin="round"><title>{`track ${time(p.start, zone)}–${time(p.end, zone)}`}</title></path>;
  }
  const [x, y] = view.toView(g.coordinates);
  if (p.kind === 'track') return <circle cx={x} cy={y} r="3" fill="#2f6fde" />;
  if (p.kind === 'stop') {
    return (
      <g className="fs-stop" data-kind="stop">
        <circle cx={x} cy={y} r="11" fill={MARKERS.stop} fillOpacity="0.35" stroke={MARKERS.stop} strokeWidth="2" />
        <text x={x + 13} y={y - 8 - 15 * row} className="fs-map-label">{`stop ${Math.round((p.duration_s || 0) / 60)} min`}</text>
        <title>{`stop ${time(p.start, zone)}–${time(p.end, zone)}`}</title>
      </g>
    );
  }
  return (
    <g className="fs-marker" data-kind={p.kind}>
      <rect x={x - 6} y={y - 6} width="12" height="12" transform={`rotate(45 ${x} ${y})`} fill={MARKERS[p.kind] || '#333'} stroke="#fff" strokeWidth="1.5" />
      <text x={x + 12} y={y + 4 + 15 * row} className="fs-map-label">{`${p.kind} ${time(p.at, zone)}`}</text>
      <title>{`${p.kind} ${p.id} ${p.verification || ''}`}</title>
    </g>
  );
}

function MapView({ collection, tiles, zone }) {
  const points = positions(collection);
  if (!points.length) return <p className="fs-muted fs-empty" data-testid="map-empty">No locations recorded on this day.</p>;
  const [width, height] = mapSize();
  const view = fit(points, width, height);
  const bar = scaleBar(view.metersPerPixel);
  const order = { LineString: 0, Point: 1 };
  const features = [...collection.features].sort((a, b) => (order[a.geometry.type] ?? 1) - (order[b.geometry.type] ?? 1));
  const rows = labelRows(features, view);
  return (
    <figure className="fs-map">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="day map" data-testid="day-map">
        <rect width={width} height={height} fill="#f4f1ea" />
        {tiles ? tilesFor(view).map((t) => <image key={`${t.z}/${t.x}/${t.y}`} href={tileUrl(tiles, t)} x={t.left} y={t.top} width={t.size} height={t.size} />) : null}
        {features.map((f, i) => <Feature key={i} feature={f} view={view} row={rows[i]} zone={zone} />)}
        <g transform={`translate(20 ${height - 24})`} data-testid="scale-bar">
          <rect x="-6" y="-18" width={bar.pixels + 60} height="30" fill="#fff" fillOpacity="0.8" rx="4" />
          <path d={`M0 0 V6 H${bar.pixels} V0`} fill="none" stroke="#222" strokeWidth="2" />
          <text x={bar.pixels + 6} y="6" className="fs-map-label">{bar.label}</text>
        </g>
        <text x={width - 10} y="20" textAnchor="end" className="fs-map-label">N ↑</text>
      </svg>
      <figcaption className="fs-legend-row">
        <span><i style={{ background: '#2f6fde' }} /> track</span>
        {Object.entries(MARKERS).map(([k, c]) => <span key={k}><i style={{ background: c }} /> {k}</span>)}
      </figcaption>
    </figure>
  );
}

// 'order:40809e0bae8a490e…' is enough to tell documents of one day apart.
function shortId(id) {
  return id.length > 20 ? `${id.slice(0, 18)}…` : id;
}

const events = (zone) => [
  { key: 'kind', title: 'What' },
  { key: 'from', title: 'From', render: (f) => time(f.start || f.at, zone) },
  { key: 'to', title: 'To', render: (f) => time(f.end, zone) },
  { key: 'detail', title: 'Detail', render: (f) => (f.id ? shortId(f.id) : null) || (f.duration_s ? `${Math.round(f.duration_s / 60)} min, ${f.points} fixes` : `${f.points} fixes`) },
  { key: 'verification', title: 'Location check', render: (f) => (f.verification ? `${f.verification}${f.distance_m != null ? ` (${f.distance_m} m)` : ''}` : '') },
];

export default function DayMap({ api, route }) {
  const [filters, setFilters] = useState({ engineer: route.params.engineer || '', day: route.params.day || isoDay(new Date()) });
  const engineers = useLoad(() => api.get('/api/v1/users', { role: 'engineer', page_size: 200, sort: 'username' }), []);
  const ready = filters.engineer && filters.day;
  const state = useLoad(() => (ready ? api.get('/api/v1/reports/route', filters) : Promise.resolve(null)), [filters.engineer, filters.day]);
  const options = [['', 'choose an engineer'], ...((engineers.data && engineers.data.items) || []).map((u) => [u.username, `${u.username} ${u.full_name ? `(${u.full_name})` : ''}`])];
  const change = (v) => { setFilters(v); window.history.replaceState(null, '', hrefWith('map', v)); };
  const zone = (state.data && state.data.properties && state.data.properties.time_zone) || 'Asia/Kolkata';
  const rows = ((state.data && state.data.features) || []).map((f) => f.properties || {})
    .sort((a, b) => String(a.start || a.at).localeCompare(String(b.start || b.at)));
  return (
    <>
      <Filters fields={[{ name: 'engineer', label: 'Engineer', options }, { name: 'day', label: 'Day', type: 'date' }]} values={filters} onChange={change} />
      <Section title={ready ? `${filters.engineer} on ${filters.day}` : 'Pick an engineer and a day'}>
        <Loading state={state}>{state.data ? <MapView collection={state.data} tiles={tileTemplate()} zone={zone} /> : null}</Loading>
      </Section>
      {state.data ? <Section title="The day in order"><Table label="day events" columns={events(zone)} rows={rows} empty="Nothing recorded." /></Section> : null}
      {state.data && state.data.properties ? <p className="fs-muted">Times and the day are in {state.data.properties.time_zone}.</p> : null}
    </>
  );
}
