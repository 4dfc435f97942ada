// Pure console logic: money, hash routes and map arithmetic (run with `node --test`).
import assert from 'node:assert/strict';
import test from 'node:test';
import { describeErrors } from '../api.js';
import { fit, positions, project, scaleBar, tilesFor, tileUrl } from '../mapGeometry.js';
import { money, sumMoney } from '../money.js';
import { allowed, href, parseHash } from '../routes.js';

test('money adds decimal strings exactly and formats rupees the Indian way', () => {
  assert.equal(sumMoney(['0.10', '0.20', '1180.00']), '1180.30');
  assert.equal(sumMoney(['-5.50', '2']), '-3.50');
  assert.equal(sumMoney([]), '0.00');
  assert.equal(money('2031792.5'), '₹20,31,792.50');
  assert.equal(money(null), '');
});

test('hash routes name the page, its id and its parameters', () => {
  assert.deepEqual(parseHash('#/console/conflicts/12?status=open'),
    { page: 'conflicts', rest: ['12'], params: { status: 'open' } });
  assert.equal(parseHash('#/console').page, 'dashboard');
  assert.equal(href('conflicts', 7), '#/console/conflicts/7');
  assert.equal(allowed('erp', 'head'), false);
  assert.equal(allowed('erp', 'admin'), true);
  assert.equal(allowed('dashboard', 'engineer'), false);
  assert.equal(allowed('audit', 'admin'), true);
  assert.equal(allowed('audit', 'head'), false);
});

test('field errors read as one line', () => {
  assert.equal(describeErrors({ json: { note: ['too long'] } }), 'Note: too long');
  assert.equal(describeErrors({ query: { team: ['Not a valid integer.'] } }), 'Team: must be a whole number');
  assert.equal(describeErrors({ json: { discount_limit_pct: ['Missing data for required field.'], lines: { 0: { quantity: ['Not a valid number.'] } } } }),
    'Discount limit %: is required; Quantity: must be a number');
  assert.equal(describeErrors(null), '');
});

test('a day fits the view and the scale bar is a round distance', () => {
  const day = { features: [
    { geometry: { type: 'LineString', coordinates: [[77.6408, 12.9784], [77.5197, 13.0285]] } },
    { geometry: { type: 'Point', coordinates: [77.5197, 13.0285] } }] };
  const points = positions(day);
  assert.equal(points.length, 3);
  const view = fit(points, 800, 520);
  for (const p of points) {
    const [x, y] = view.toView(p);
    assert.ok(x >= 39 && x <= 761 && y >= 39 && y <= 481, `${x},${y}`);
  }
  const [west] = view.toView([77.5197, 13.0285]);
  const [east] = view.toView([77.6408, 12.9784]);
  assert.ok(west < east);
  // 13.1 km across about 720 px: a bar of 2 km (about 110 px) fits 120 px.
  const bar = scaleBar(view.metersPerPixel);
  assert.equal(bar.label, '2 km');
  assert.ok(bar.pixels > 60 && bar.pixels <= 120);
  assert.equal(scaleBar(0.5).label, '50 m');
});

test('tiles cover the view only when a tile server is configured', () => {
  const view = fit([[77.5946, 12.9716]], 800, 520);
  const tiles = tilesFor(view);
  assert.ok(tiles.length >= 4 && tiles.length <= 30, String(tiles.length));
  assert.equal(tileUrl('https://t.example/{z}/{x}/{y}.png', { z: 3, x: 5, y: 2 }), 'https://t.example/3/5/2.png');
  const [x, y] = project(0, 0);
  assert.deepEqual([x, y], [128, 128]);
});
