// The layout a link opens and the `layout=` value a layout is kept under in the link. Pure.
// core/url.js reads and writes the query as text; this is where its `layout=` becomes a
// document (docs/layouts.md, "In the link"), and where links made before layouts, with
// `strip=` and `axis=distance`, become one.

import { DEFAULT_LAYOUT, defaultLayout, fromLegacy } from './builtins.js';
import { formatLayout, fromParam, toParam } from './layout.js';

/**
 * Open this layout: dispatched on `document` with `{layout}` (a normalised layout) as its
 * detail by the Layouts menu; the workbench shows it and keeps it in the link.
 */
export const OPEN_LAYOUT = 'trackside:layout';

/**
 * The layout a link opens, from what core/url.js parseQuery read: its `layout=`, else its
 * `strip=`/`axis=distance` (a link made before layouts), else the default layout.
 * @param {{layout: string|null, strips: object[]|null, axis: 'time'|'distance'}} query
 * @returns {{layout: object, error: string|null}}  `error`: why `layout=` did not read (the
 *   default layout is opened instead), for a toast
 */
export function layoutFromQuery({ layout = null, strips = null, axis = 'time' }) {
  if (layout) {
    const r = fromParam(layout);
    return r.ok ? { layout: r.layout, error: null } : { layout: defaultLayout(), error: `The link's layout does not read: ${r.error}` };
  }
  if (strips || axis === 'distance') return { layout: fromLegacy({ strips, axis }), error: null };
  return { layout: defaultLayout(), error: null };
}

/**
 * The `layout=` value for a layout, or null for the default layout's panels with no
 * reference laps (a link leaves them out, whatever the name: a link without `layout=` opens
 * the same panels).
 */
export function layoutParam(layout) {
  const plain = !layout || (samePanels(layout, DEFAULT_LAYOUT) && !layout.references?.length);
  return plain ? null : toParam(layout);
}

const samePanels = (a, b) => JSON.stringify(formatLayout(a).panels) === JSON.stringify(formatLayout(b).panels);
