// The page's colours for cars and tire corners, shared by the strips, the car list, the
// track map and the Distance strips. Pure: a car's colour is a function of when it was first seen.

export const CORNERS = Object.freeze(['fl', 'fr', 'rl', 'rr']);
export const CORNER_COLORS = Object.freeze({ fl: '#38bdf8', fr: '#f472b6', rl: '#facc15', rr: '#4ade80' });

// Distinct on a dark background. Colours go to cars in the order they are first seen, so
// the first twenty cars never share one; a car keeps its colour for the life of the page.
const PALETTE = [
  '#ff5a5f', '#4dabff', '#ffd23f', '#3ddc97', '#c77dff', '#ff8c42', '#00d1d1', '#ff66c4', '#a3e635', '#e5e7eb',
  '#e76f51', '#7aa2ff', '#ffb3c1', '#2ec4b6', '#f4a261', '#b388eb', '#90e0ef', '#d4a373', '#06d6a0', '#f15bb5',
];
const carColors = new Map();

export function carColor(id) {
  let c = carColors.get(id);
  if (c === undefined) {
    c = PALETTE[carColors.size % PALETTE.length];
    carColors.set(id, c);
  }
  return c;
}
