// Laps made by hand for browser tests: one car's records on a circle of known length, with
// lap times chosen by the test, as JSON lines for kcat (harness.mjs produceLines). Each lap
// has its own front-left brake temperature (300 + lap °C), a channel beyond the v1 fields.

/** The hand-made track: a circle of this length (m), sampled every PERIOD ms (10 Hz). */
export const LENGTH = 1000;
export const PERIOD = 100;

/**
 * A car's records on the hand-made circle, at 10 Hz: `spans` lists [lap, ms] with each lap
 * at its own constant speed; lap 1 covers its last 400 m, the last lap its first 400 m.
 * `offset`: the first sample of a lap comes that many ms after its line (0: a sample on the
 * line, so the crossing is exact); the last sample is 3 s ago.
 */
export function handLaps(car, spans, offset) {
  const speeds = Object.fromEntries(spans.map(([lap, ms], n) => [lap, (n === 0 || n === spans.length - 1 ? 400 : LENGTH) / ms]));
  const total = spans.reduce((a, [, ms]) => a + ms, 0);
  const out = [];
  let start = Date.now() - total - 3000;
  spans.forEach(([lap, ms], n) => {
    const from = n === 0 ? LENGTH - 400 : 0;
    for (let dt = offset; dt < ms; dt += PERIOD) {
      const d = from + dt * speeds[lap];
      const a = (2 * Math.PI * d) / LENGTH;
      out.push(JSON.stringify({
        car, ts: start + dt, lap, lap_distance_m: Math.round(d * 1000) / 1000,
        x: Math.round(1600 * Math.cos(a)) / 10, y: Math.round(1600 * Math.sin(a)) / 10,
        speed_kph: speeds[lap] * 3600, rpm: 9000, gear: 5,
        tire_temp_c: { fl: 90, fr: 90, rl: 90, rr: 90 }, brake_temp_c: { fl: 300 + lap }, driver: 'Hand',
      }));
    }
    start += ms;
  });
  return out;
}
