/**
 * A program masquerading as a Windows system binary: its file name is a system binary's (svchost,
 * lsass, services…) outside the folders that binary lives in, or a look-alike of one — one or two
 * edits away (svch0st, scvhost, lsas, svchosts), not the name itself. Worms install services
 * under such names (DriverLife's C:\Windows\SysWOW64\drivers\svchost.exe).
 */

/** System binaries and the folders (lower case, under the Windows directory) they genuinely live in. */
const SYSTEM_BINARIES: Record<string, readonly string[]> = {
  'svchost.exe': ['system32', 'syswow64'],
  'lsass.exe': ['system32'],
  'services.exe': ['system32'],
  'csrss.exe': ['system32'],
  'winlogon.exe': ['system32'],
  'smss.exe': ['system32'],
  'wininit.exe': ['system32'],
  'explorer.exe': ['', 'syswow64'],
  'spoolsv.exe': ['system32'],
  'taskhostw.exe': ['system32'],
  'dllhost.exe': ['system32', 'syswow64'],
  'rundll32.exe': ['system32', 'syswow64'],
  'conhost.exe': ['system32'],
  'lsm.exe': ['system32'],
  'taskmgr.exe': ['system32', 'syswow64'],
};

/** Optimal string alignment distance (edits: insert, delete, substitute, swap two neighbours), stopping past `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

export interface Masquerade {
  /** the system binary it poses as */
  as: string;
  /** `wrong-folder`: the very name outside its folders; `look-alike`: a name one or two edits away */
  how: 'wrong-folder' | 'look-alike';
}

/** The path of a program (a service's ImagePath, a process image) with its arguments and quotes. */
function fileOf(commandLine: string): { folder: string; name: string } | undefined {
  let path = commandLine.trim();
  if (path.startsWith('"')) path = path.slice(1, path.indexOf('"', 1) > 0 ? path.indexOf('"', 1) : undefined);
  else {
    const exe = /^(.*?\.exe)\b/i.exec(path);
    if (exe) path = exe[1]!;
  }
  path = path.replace(/\//g, '\\');
  const cut = path.lastIndexOf('\\');
  const name = path.slice(cut + 1).toLowerCase();
  if (!name.endsWith('.exe')) return undefined;
  // the folder under the Windows directory, whichever way it is written (%SystemRoot%, %windir%, C:\Windows, \SystemRoot)
  const folder = path
    .slice(0, Math.max(0, cut))
    .toLowerCase()
    .replace(/^\\\?\?\\/, '')
    .replace(/^(%systemroot%|%windir%|\\systemroot|[a-z]:\\windows)(?=\\|$)/, '<windows>');
  return { folder, name };
}

/** Does this program pose as a system binary? */
export function masqueradeOf(commandLine: string | undefined): Masquerade | undefined {
  if (!commandLine) return undefined;
  const file = fileOf(commandLine);
  if (!file) return undefined;
  const home = SYSTEM_BINARIES[file.name];
  if (home) {
    const genuine = home.some((f) => file.folder === (f ? `<windows>\\${f}` : '<windows>'));
    // a bare name (no folder) is resolved by the system's search path: not evidence either way
    return genuine || file.folder === '' ? undefined : { as: file.name, how: 'wrong-folder' };
  }
  const stem = file.name.slice(0, -4);
  for (const binary of Object.keys(SYSTEM_BINARIES)) {
    const target = binary.slice(0, -4);
    // short names (lsm) are too close to too many real programs for a look-alike test
    if (target.length < 5) continue;
    const d = editDistance(stem, target, 2);
    if (d >= 1 && d <= 2) return { as: binary, how: 'look-alike' };
  }
  return undefined;
}
