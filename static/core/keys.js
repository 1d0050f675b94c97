// The playback keys, pure: what a key press asks the session for. Space plays and pauses,
// ←/→ step 100 ms of race time (Shift: 1 s), digits 1..8 choose the speeds in the order of
// the selector. Nothing while the person types in a field or holds Ctrl, Alt or Meta.

import { SPEEDS } from './url.js';

const TYPING = new Set(['INPUT', 'TEXTAREA', 'SELECT']);

/**
 * @param {{key: string, shiftKey?: boolean, ctrlKey?: boolean, altKey?: boolean, metaKey?: boolean,
 *   target?: {tagName?: string, isContentEditable?: boolean}}} e  a keydown event, or its likeness
 * @returns {object|null} a session event without its live edge (`at`), or null
 */
export function keyIntent(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const t = e.target;
  if (t && (TYPING.has(t.tagName) || t.isContentEditable)) return null;
  if (e.key === ' ' || e.key === 'Spacebar') return { type: 'toggle' };
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    const ms = e.shiftKey ? 1000 : 100;
    return { type: 'step', ms: e.key === 'ArrowLeft' ? -ms : ms };
  }
  if (/^[1-8]$/.test(e.key)) return { type: 'speed', speed: SPEEDS[Number(e.key) - 1] };
  return null;
}
