// Notes on the timeline as people use them: one engineer adds a note at the live edge for the
// focused car, it is marked on the timeline, a colleague's page shows it within a second,
// hovering shows its text and clicking it goes there in a replay; the author edits and removes
// it; a note of markup shows as text; and a read-only server shows the notes and says why it
// takes no new one. Against the real server (with --annotations) and broker (e2e/harness.mjs).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, openPage, startServer, startStack, stop, uniqueName, waitUntil } from './harness.mjs';

const T = { timeout: 120_000 };

describe('notes', () => {
  let stack;

  before(async () => {
    stack = await startStack({ topic: uniqueName('e2e-notes'), serverArgs: ['--annotations'] });
  });

  after(async () => {
    await stack?.stop();
  });

  const open = async (url = stack.url, viewport = { width: 1440, height: 900 }) => {
    const opened = await openPage(stack.browser, `${url}/?topic=${stack.topic}`, { viewport });
    await opened.page.waitForFunction(() => window.trackside.timelineSpan && window.trackside.range?.first_ts != null, null, { timeout: 30_000 });
    return opened;
  };
  const markers = (page) => page.getByTestId('note-marker');

  async function addNote(page, text, author = 'Ana') {
    if (await page.getByTestId('notes-popover').isHidden()) await page.getByTestId('notes-button').click();
    await page.getByTestId('note-author').fill(author);
    await page.getByTestId('note-text').fill(text);
    await page.getByTestId('note-save').click();
    await waitUntil(async () => (await page.getByTestId('note-text').inputValue()) === '', 'the note is written');
  }

  test('a note added at the live edge is marked on the timeline, and a colleague sees it live and goes there', T, async () => {
    const a = await open();
    const b = await open(stack.url, { width: 1280, height: 800 });
    try {
      const before = await markers(b.page).count();
      await addNote(a.page, 'Lock-up at turn 4');
      const written = Date.now();
      await waitUntil(async () => (await markers(a.page).count()) > before, 'the writer’s timeline marks the note');
      await waitUntil(async () => (await markers(b.page).count()) > before, 'the colleague’s timeline marks it', { timeout: 5_000, interval: 20 });
      const late = Date.now() - written;
      assert.ok(late < 1000, `the colleague saw it ${late} ms after it was written`);
      await waitUntil(async () => (await b.page.getByTestId('toast').allInnerTexts()).some((t) => t.includes('Lock-up at turn 4')), 'a notice names it');
      const list = await a.page.getByTestId('note-item').allInnerTexts();
      assert.ok(list.some((t) => t.includes('Ana') && t.includes('Lock-up at turn 4')), list.join('\n'));
      await a.page.screenshot({ path: path.join(ARTIFACTS, 'notes-1440.png') });

      // Hover: the text; click: a replay at the note's moment.
      const marker = markers(b.page).last();
      await marker.hover();
      await waitUntil(async () => (await b.page.getByTestId('note-tip').innerText()).includes('Ana'), 'the tooltip shows the note');
      assert.match(await b.page.getByTestId('note-tip').innerText(), /Lock-up at turn 4/);
      await b.page.screenshot({ path: path.join(ARTIFACTS, 'notes-hover-1280.png') });
      const ts = Number(await marker.getAttribute('data-ts'));
      await marker.click();
      await waitUntil(async () => (await b.page.getByTestId('mode-badge').getAttribute('data-mode')) === 'replay', 'the page replays');
      await waitUntil(async () => Math.abs(Number(await b.page.getByTestId('playhead-time').getAttribute('data-ts')) - ts) < 2000,
        'the playhead is at the note');

      // A second back (Shift+←, which pauses), then play: the note shows as the playhead passes it.
      await b.page.waitForFunction(() => Number.isFinite(window.trackside.replay?.position_ts), null, { timeout: 30_000 });
      await b.page.evaluate(() => document.activeElement?.blur());
      await b.page.keyboard.press('Shift+ArrowLeft');
      await waitUntil(() => b.page.evaluate((t) => window.trackside.playhead <= t - 900 && window.trackside.replay?.state === 'paused', ts),
        'the replay paused before the note');
      for (const t of await b.page.getByTestId('toast-close').all()) await t.click();
      await b.page.keyboard.press('Space');
      await waitUntil(async () => (await b.page.getByTestId('toast').allInnerTexts()).some((t) => t.startsWith('Note at') && t.includes('Lock-up at turn 4')),
        'a notice shows the note as the replay passes it');
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the author edits and removes a note, and everyone sees the latest state', T, async () => {
    const a = await open();
    const b = await open(stack.url, { width: 1280, height: 800 });
    try {
      await addNote(a.page, 'new tires', 'Bo');
      const item = a.page.getByTestId('note-item').filter({ hasText: 'new tires' });
      await item.getByTestId('note-edit').click();
      await a.page.getByTestId('note-text').fill('new softs');
      await a.page.getByTestId('note-save').click();
      await waitUntil(async () => (await a.page.getByTestId('note-item').allInnerTexts()).some((t) => t.includes('new softs')), 'the edit shows');
      await b.page.getByTestId('notes-button').click();
      await waitUntil(async () => {
        const texts = await b.page.getByTestId('note-item').allInnerTexts();
        return texts.some((t) => t.includes('new softs')) && !texts.some((t) => t.includes('new tires'));
      }, 'the colleague sees the edit, not the old text');
      await b.page.screenshot({ path: path.join(ARTIFACTS, 'notes-popover-1280.png') });
      assert.equal(await b.page.getByTestId('note-item').filter({ hasText: 'new softs' }).getByTestId('note-edit').count(), 0,
        'only the author is offered to edit');
      await a.page.getByTestId('note-item').filter({ hasText: 'new softs' }).getByTestId('note-delete').click();
      await waitUntil(async () => (await b.page.getByTestId('note-item').filter({ hasText: 'new softs' }).count()) === 0, 'the removal reaches the colleague');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a note of markup is shown as text, never run', T, async () => {
    const a = await open();
    const b = await open();
    try {
      const text = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
      await addNote(a.page, text, '<b>Cy</b>');
      await b.page.getByTestId('notes-button').click();
      const item = b.page.getByTestId('note-item').filter({ hasText: '<script>' });
      await waitUntil(async () => (await item.count()) === 1, 'the note reaches the colleague');
      const line = await item.locator('.note-line').textContent();
      assert.ok(line.startsWith('<b>Cy</b>') && line.endsWith(`: ${text}`), line);
      assert.equal(await b.page.locator('[data-testid="notes-list"] img, [data-testid="notes-list"] script, [data-testid="notes-list"] b').count(), 0);
      await markers(b.page).last().hover();
      await waitUntil(async () => (await b.page.getByTestId('note-tip').textContent()).includes(text), 'the tooltip shows the markup as text');
      assert.equal(await b.page.evaluate(() => window.__pwned), undefined, 'nothing in the note ran');
      assert.equal(await a.page.evaluate(() => window.__pwned), undefined);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a read-only server shows the notes and says plainly why it takes no new one', T, async () => {
    const readOnly = await startServer({ topic: stack.topic, groupId: uniqueName('e2e-ro'), logName: 'server-notes-ro.log' });
    const a = await open();
    try {
      await addNote(a.page, 'red flag');
      const r = await open(readOnly.url);
      try {
        await waitUntil(async () => (await markers(r.page).count()) > 0, 'the read-only server shows the notes Kafka holds');
        await r.page.getByTestId('notes-button').click();
        const why = r.page.getByTestId('note-why');
        await waitUntil(() => why.isVisible(), 'it says why');
        assert.match(await why.innerText(), /read-only.*--annotations/);
        assert.ok(await r.page.getByTestId('note-form').isHidden(), 'no form to fill in for nothing');
        await r.page.screenshot({ path: path.join(ARTIFACTS, 'notes-read-only-1440.png') });
      } finally {
        await r.close();
      }
    } finally {
      await a.close();
      await stop(readOnly.child);
    }
  });
});
