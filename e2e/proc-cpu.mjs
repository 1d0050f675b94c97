// CPU time (user + system, seconds) of this process's children running a given program, and
// of every process under them, from Linux's /proc: what the browser a bench launched spent,
// all its processes together (renderer, GPU, network), over a run, whatever else the machine
// was doing. null where /proc cannot be read (not Linux).

import fs from 'node:fs';
import path from 'node:path';

/** Clock ticks per second of /proc's times: 100 on every Linux this runs on. */
const TICKS = 100;

/**
 * @param {string} program  the executable, by its file name: a wrapper script (Debian's
 *   /usr/bin/chromium) execs a program of the same name elsewhere
 * @returns {number|null} seconds of CPU used so far by the children running it and their descendants
 */
export function childrenCpuSeconds(program) {
  let stats;
  try {
    stats = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(readStat).filter(Boolean);
  } catch {
    return null;
  }
  const children = new Map();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const roots = (children.get(process.pid) ?? []).filter((s) => path.basename(commandOf(s.pid) ?? '') === path.basename(program));
  if (roots.length === 0) return null;
  let ticks = 0;
  for (const todo = roots; todo.length > 0;) {
    const s = todo.pop();
    ticks += s.ticks;
    todo.push(...(children.get(s.pid) ?? []));
  }
  return ticks / TICKS;
}

/** A process's pid, parent and CPU ticks from /proc/PID/stat; null once it has gone. */
function readStat(dir) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${dir}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid: Number(dir), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
}

/** The program a process runs (its command line's first word); null once it has gone. */
function commandOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
  } catch {
    return null;
  }
}
