// Drives the session reducer (static/core/session.js) in tests: events in order, effects kept.

import { next } from '../../../static/core/session.js';

/** Runs events in order from `state`; returns the last state and every effect, in order. */
export function run(state, ...events) {
  const effects = [];
  for (const event of events) {
    const r = next(state, event);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

/** The messages the effects send, in order. */
export const sent = (effects) => effects.filter((e) => e.type === 'send').map((e) => e.message);
