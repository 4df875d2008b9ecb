/**
 * What a password must be (issue 11, F10): at least 12 characters, not the user name (nor the
 * name inside it with a few characters around), not one of the passwords attackers try first —
 * the small bundled list below, common worldwide and on Chinese networks, compared without case.
 */
import { validationError } from '../errors.js';

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 200;

/** Passwords tried first by every brute-force tool and leaked-list (12 characters or more: shorter ones fail the length rule). */
const COMMON = new Set(
  [
    '123456789012', '1234567890123', '12345678901234', '123456123456', '123123123123', '111111111111', '000000000000', '888888888888', '666666666666',
    '123456789abc', 'abc123456789', 'abcd12345678', 'a123456789012', 'aa1234567890', 'aa123456789..', 'qwertyuiop12', 'qwertyuiopas', 'qwerty123456',
    '1qaz2wsx3edc', '1qaz2wsx3edc4rfv', '1q2w3e4r5t6y', 'q1w2e3r4t5y6', 'zaq12wsxcde3', 'qazwsxedcrfv', 'asdfghjkl123', 'zxcvbnm12345', 'asdfasdfasdf',
    'password1234', 'password123!', 'password@123', 'p@ssw0rd1234', 'p@ssword1234', 'passw0rd1234', 'passwordpassword', 'password12345',
    'admin1234567', 'admin@123456', 'admin123456!', 'administrator', 'administrator1', 'root12345678', 'root@1234567', 'toor12345678',
    'welcome12345', 'welcome@1234', 'letmein12345', 'iloveyou1234', 'changeme1234', 'changeme123!', 'default12345', 'test12345678', 'guest1234567',
    'woaini131420', 'woaini520131', '5201314520131', '1314520131452', 'woaini1314520', 'wodemima1234', 'mima12345678', 'zhang12345678', 'wang123456789',
    'li1234567890', 'liu123456789', 'chen12345678', 'huawei123456', 'huawei@12345', 'huawei@123456', 'admin@huawei', 'sangfor12345', 'sangfor@1234',
    'qianxin12345', 'h3c123456789', 'hillstone123', 'topsec123456', 'nsfocus12345', 'bihuan123456', 'bihuan@12345', 'security1234', 'security@123',
    'abcdefghijkl', 'abcdefg12345', 'aaaaaaaaaaaa', 'abc123abc123', 'qwe123qwe123', 'asd123asd123', 'zxc123zxc123', '147258369123', '159357159357',
    '741852963123', '987654321098', '098765432109', 'superman1234', 'dragon123456', 'football1234', 'baseball1234', 'monkey123456', 'sunshine1234',
    'princess1234', 'master123456', 'shadow123456', 'michael12345', 'trustno11234', 'starwars1234', 'whatever1234', 'computer1234', 'internet1234',
  ].map((p) => p.toLowerCase()),
);

/** Refuses a password that breaks the policy, saying which rule (never echoing the password). */
export function checkPasswordPolicy(password: string, username?: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD) throw validationError(field, `at least ${MIN_PASSWORD} characters`, 'passwordShort', { limit: MIN_PASSWORD });
  if (password.length > MAX_PASSWORD) throw validationError(field, `at most ${MAX_PASSWORD} characters`, 'passwordLong', { limit: MAX_PASSWORD });
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) throw validationError(field, 'is one of the passwords attackers try first: choose another', 'passwordCommon');
  if (new Set(lower).size < 4) throw validationError(field, 'repeats too few characters: choose another', 'passwordRepetitive');
  if (username) {
    const name = username.toLowerCase();
    // the user name itself, or the name padded with a few characters (admin → admin1234567 is 12 long)
    if (lower === name || (name.length >= 3 && lower.includes(name) && lower.length - name.length <= 8)) {
      throw validationError(field, 'is, or is built on, the user name: choose another', 'passwordName');
    }
  }
}
