/**
 * Countermeasures on the command line (issue 16): `bihuan block add|list|approve|lift|renew|expire`
 * and the devices' read-only tokens (`bihuan block token create|list|revoke`), calling the same
 * service as the API as the operator of the installation (audited as `cli:<OS user>`).
 */
import type { Command } from 'commander';
import type { Services } from '../app.js';
import type { Actor } from '../domain/account/roles.js';
import { BLOCK_KINDS, BLOCK_STATUSES, type BlockKind } from '../domain/countermeasures/block.js';
import { DomainError } from '../domain/errors.js';
import type { Block } from '../countermeasures/block.service.js';
import { commaChoices, int } from './options.js';

interface Context {
  open: () => Promise<Services>;
  print: (s?: string) => void;
  actor: Actor;
}

function line(b: Block): string {
  const v = b.verification ? ` · ${b.verification.state}${b.verification.state === 'seen' ? ` ${b.verification.seenAfter}× by ${b.verification.seenBy.join(', ') || '?'}` : ` ${b.verification.quietMinutes} min`}` : '';
  return `#${String(b.id).padEnd(5)} ${b.status.padEnd(8)} ${b.kind.padEnd(6)} ${b.value.padEnd(32)} ${b.list.padEnd(10)} until ${b.expiresAt}${v}  ${b.incidentId ?? '-'}  ${b.reason.slice(0, 60)}`;
}

export function addBlockCommands(program: Command, { open, print, actor }: Context): void {
  const block = program.command('block').description('countermeasures (封禁): block addresses, networks, domains, URLs and file hashes; the lists firewalls pull at /edl/<list>/<kind>.txt');
  block
    .command('add <incident> <kind> <value>')
    .description(`block for an incident: kind ${BLOCK_KINDS.join(', ')}; a critical or allow-listed host waits for a second person`)
    .requiredOption('--reason <text>', 'why it is blocked')
    .option('--list <name>', 'the list it goes on', 'default')
    .option('--until <time>', 'when it ends (default by the incident level: 30/14/7/3 days)')
    .option('--owner <user>', 'who answers for it')
    .action(async (incident: string, kind: string, value: string, o: { reason: string; list: string; until?: string; owner?: string }) => {
      const s = await open();
      const b = await s.blocks.create(actor, { kind, value, incidentId: incident, reason: o.reason, list: o.list, expiresAt: o.until, owner: o.owner });
      print(line(b));
      if (b.approvalReason) print(`  waits for approval: ${b.approvalReason.en}`);
    });
  block
    .command('list')
    .description('entries, the newest first, with how the alerts after each went')
    .option('--incident <id>', 'one incident’s')
    .option('--status <list>', `comma-separated: ${BLOCK_STATUSES.join(', ')}`, 'pending,active')
    .option('--kind <kind>', BLOCK_KINDS.join(', '))
    .option('--list <name>', 'one list')
    .option('--limit <n>', 'how many', int('limit'), 100)
    .option('--json', 'one JSON document')
    .action(async (o: { incident?: string; status: string; kind?: string; list?: string; limit: number; json?: boolean }) => {
      if (o.kind !== undefined && !(BLOCK_KINDS as readonly string[]).includes(o.kind)) throw new DomainError('validation', `--kind: "${o.kind}" is not one of ${BLOCK_KINDS.join(', ')}`);
      const s = await open();
      const r = await s.blocks.list({ incident: o.incident, status: commaChoices('--status', o.status, BLOCK_STATUSES), kind: o.kind as BlockKind | undefined, list: o.list, limit: Math.min(Math.max(o.limit, 1), 500), offset: 0 });
      if (o.json) return print(JSON.stringify(r));
      if (!r.items.length) print('no blocks');
      for (const b of r.items) print(line(b));
    });
  block
    .command('approve <id>')
    .description('approve an entry waiting for a second person')
    .action(async (id: string) => print(line(await (await open()).blocks.approve(actor, int('id')(id)))));
  block
    .command('lift <id>')
    .description('lift an entry early (or refuse one waiting for approval)')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, o: { reason: string }) => print(line(await (await open()).blocks.lift(actor, int('id')(id), o.reason))));
  block
    .command('renew <id>')
    .description('keep an entry in force longer')
    .option('--until <time>', 'the new expiry (default: the level’s default from now)')
    .action(async (id: string, o: { until?: string }) => print(line(await (await open()).blocks.renew(actor, int('id')(id), { expiresAt: o.until }))));
  block
    .command('expire')
    .description('mark the entries past their expiry as expired now (the server does it every 30 s)')
    .action(async () => print(`${await (await open()).blocks.expireDue()} entries expired`));

  const token = block.command('token').description('the read-only tokens firewalls and proxies pull the lists with');
  token
    .command('create <name>')
    .description('a new token for a device (shown once)')
    .action(async (name: string) => {
      const t = await (await open()).blocks.createListToken(actor, name);
      print(`token #${t.id} for ${t.name} (shown once): ${t.token}`);
      print('the device pulls, with Authorization: Bearer <token> or basic authentication with the token as the password:');
      for (const k of BLOCK_KINDS) print(`  <server>/edl/default/${k}.txt`);
    });
  token
    .command('list')
    .description('the tokens (never the secrets)')
    .action(async () => {
      const list = await (await open()).blocks.listTokens();
      if (!list.length) print('no tokens');
      for (const t of list) print(`#${t.id} ${t.prefix}…  ${t.name}  created ${t.createdAt} by ${t.createdBy}${t.lastUsedAt ? `, last used ${t.lastUsedAt}` : ''}${t.revokedAt ? `, REVOKED ${t.revokedAt}` : ''}`);
    });
  token
    .command('revoke <id>')
    .description('revoke a token')
    .action(async (id: string) => {
      await (await open()).blocks.revokeListToken(actor, int('id')(id));
      print(`token #${id} revoked`);
    });
}
