import { describe, expect, it } from 'vitest';
import { editDistance, masqueradeOf } from './masquerade.js';

describe('programs posing as Windows system binaries', () => {
  it('counts edits, a swap of neighbours as one', () => {
    expect(editDistance('svchost', 'svchost')).toBe(0);
    expect(editDistance('svch0st', 'svchost')).toBe(1);
    expect(editDistance('scvhost', 'svchost')).toBe(1);
    expect(editDistance('svchosts', 'svchost')).toBe(1);
    expect(editDistance('svhst', 'svchost')).toBe(2);
    expect(editDistance('notepad', 'svchost')).toBe(3);
  });

  it('knows the genuine folders, however the Windows directory is written', () => {
    for (const path of ['%SystemRoot%\\System32\\svchost.exe -k netsvcs', '"C:\\Windows\\System32\\svchost.exe" -k LocalService', 'C:\\Windows\\SysWOW64\\svchost.exe', '\\SystemRoot\\System32\\smss.exe', 'C:\\Windows\\explorer.exe', 'svchost.exe -k x', 'C:\\Program Files\\Vendor\\agent.exe']) {
      expect(masqueradeOf(path), path).toBeUndefined();
    }
  });

  it('finds the name outside its folder, and look-alike names', () => {
    expect(masqueradeOf('C:\\Windows\\SysWOW64\\drivers\\svchost.exe')).toEqual({ as: 'svchost.exe', how: 'wrong-folder' });
    expect(masqueradeOf('"C:\\ProgramData\\lsass.exe" /start')).toEqual({ as: 'lsass.exe', how: 'wrong-folder' });
    expect(masqueradeOf('C:\\Windows\\System32\\svch0st.exe -k netsvcs')).toEqual({ as: 'svchost.exe', how: 'look-alike' });
    expect(masqueradeOf('C:\\Windows\\Temp\\scvhost.exe')).toEqual({ as: 'svchost.exe', how: 'look-alike' });
    expect(masqueradeOf('C:\\Users\\Public\\lsas.exe')).toEqual({ as: 'lsass.exe', how: 'look-alike' });
    expect(masqueradeOf('C:\\Windows\\System32\\wininlt.exe')).toEqual({ as: 'wininit.exe', how: 'look-alike' });
  });
});
