/** TypeBox schemas shared by the routes: they validate requests, shape responses and make the OpenAPI document. */
import { type TSchema, Type } from 'typebox';
import { ROLES } from '../domain/account/roles.js';
import { OBSERVABLE_PAP, OBSERVABLE_TAGS, OBSERVABLE_TLP, OBSERVABLE_TYPES } from '../domain/incident/incident.js';
import { PHASES, RESOLUTIONS, TASK_STATUSES, WORKING_PHASES } from '../domain/incident/phase.js';
import { SORTS } from '../incident/incident.repository.js';
import { TIERS } from '../domain/incident/sla.js';

export const StringEnum = <T extends readonly string[]>(values: T, opts: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });

// null first: the validator coerces types, and tried against a string first null would become "" (an org unit "" breaks its foreign key)
export const Nullable = <T extends TSchema>(s: T) => Type.Union([Type.Null(), s]);

export const DateTime = (opts: Record<string, unknown> = {}) => Type.String({ format: 'date-time', maxLength: 40, ...opts });

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'stable machine code: validation, unauthenticated, forbidden, not_found, conflict, gate_refused, payload_too_large, internal' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { $id: 'Error' },
);

export const errorResponses = {
  400: Type.Ref('Error'),
  401: Type.Ref('Error'),
  403: Type.Ref('Error'),
  404: Type.Ref('Error'),
  409: Type.Ref('Error'),
};

export const Level = Type.Integer({ minimum: 1, maximum: 4, description: '1 is the most severe' });
export const Phase = StringEnum(PHASES);
export const WorkingPhase = StringEnum(WORKING_PHASES);
export const Resolution = StringEnum(RESOLUTIONS);
export const TaskStatus = StringEnum(TASK_STATUSES);
export const Tier = StringEnum(TIERS);
export const Role = StringEnum(ROLES);
export const ObservableType = StringEnum(OBSERVABLE_TYPES);

export const IncidentId = Type.String({ pattern: '^INC-\\d{8}-\\d{4,}$', maxLength: 40, description: 'e.g. INC-20261125-0007' });

export const AssetInput = Type.Object(
  {
    ip: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    hostname: Type.Optional(Nullable(Type.String({ maxLength: 255 }))),
    businessSystem: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    orgUnit: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  },
  { additionalProperties: false },
);

export const ObservableTlp = StringEnum(OBSERVABLE_TLP, { description: 'Traffic Light Protocol 2.0: how far it may be shared' });
export const ObservablePap = StringEnum(OBSERVABLE_PAP, { description: 'Permissible Actions Protocol: what may be done with it' });
/** how an observable is marked: TLP, PAP (null: unmarked) and tags */
/** tags of an observable or an incident: short strings, a few */
export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: OBSERVABLE_TAGS.length }), { maxItems: OBSERVABLE_TAGS.max });

export const ObservableMarking = {
  tlp: Type.Optional(Nullable(ObservableTlp)),
  pap: Type.Optional(Nullable(ObservablePap)),
  tags: Type.Optional(Tags),
};

export const ObservableInput = Type.Object(
  {
    type: ObservableType,
    value: Type.String({ minLength: 1, maxLength: 2048 }),
    firstSeen: Type.Optional(DateTime()),
    lastSeen: Type.Optional(DateTime()),
    note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
    ...ObservableMarking,
  },
  { additionalProperties: false },
);

export const IncidentSummary = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    titleEn: Nullable(Type.String({ description: 'the title in English where the product wrote it (detection); null: as title' })),
    type: Type.String(),
    level: Type.Integer(),
    priorityTier: Tier,
    phase: Phase,
    phaseEnteredAt: Type.String(),
    phaseDueAt: Nullable(Type.String()),
    overdue: Type.Boolean(),
    ownerId: Nullable(Type.Integer()),
    owner: Nullable(Type.String()),
    team: Nullable(Type.String()),
    orgUnit: Type.String(),
    detectedAt: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    closedAt: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    exercise: Type.Boolean({ description: 'an exercise (演练) incident, kept out of the real figures' }),
    campaignId: Nullable(Type.Integer({ description: 'the drill (campaign) that opened it' })),
    planId: Nullable(Type.Integer({ description: 'the emergency plan started on it' })),
    national: Nullable(
      Type.Object(
        {
          level: Type.Integer({ minimum: 1, maximum: 4, description: 'GB/T 20986-2023: 1 = I 特别重大, 2 = II 重大, 3 = III 较大, 4 = IV 一般' }),
          category: Type.String({ description: 'the category or sub-category code of the standard (the table in the settings)' }),
          reason: Nullable(Type.String()),
          confirmedBy: Type.String(),
          confirmedAt: Type.String(),
          dueAt: Nullable(Type.String({ description: 'the report to the regulator is due (III and graver): discovery + 1/2/4 h by operator type' })),
          reportedAt: Nullable(Type.String()),
          reportedTo: Nullable(Type.String()),
          overdue: Type.Boolean(),
        },
        { description: 'the national grading a person confirmed, beside the internal level; null: not graded yet' },
      ),
    ),
  },
  { $id: 'IncidentSummary' },
);

export const TaskBody = Type.Object(
  {
    id: Type.Integer(),
    phase: Phase,
    title: Type.String(),
    titleEn: Nullable(Type.String()),
    mandatory: Type.Boolean(),
    status: TaskStatus,
    assigneeId: Nullable(Type.Integer()),
    dueAt: Nullable(Type.String()),
    playbookKey: Nullable(Type.String()),
    note: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    doneAt: Nullable(Type.String()),
    doneBy: Nullable(Type.String()),
    findingId: Nullable(Type.Integer({ description: 'a patch task: the finding of periodic work it fixes (done → the finding is fixed)' })),
  },
  { $id: 'Task' },
);

export const IncidentDetail = Type.Object(
  {
    ...IncidentSummary.properties,
    typeName: Type.Object({ zh: Type.String(), en: Type.String() }),
    description: Type.String(),
    gradingVersion: Type.Integer(),
    createdBy: Type.String(),
    deadlines: Type.Record(Type.String(), Type.String()),
    report: Type.Object({ sentAt: Nullable(Type.String()), sentTo: Nullable(Type.String()), channel: Nullable(Type.String()) }),
    closure: Type.Object({ resolution: Nullable(Resolution), conclusion: Nullable(Type.String()), recommendations: Nullable(Type.String()) }),
    assets: Type.Array(
      Type.Object({
        id: Type.Integer(),
        ip: Nullable(Type.String()),
        hostname: Nullable(Type.String()),
        businessSystem: Nullable(Type.String()),
        orgUnit: Nullable(Type.String()),
        note: Nullable(Type.String()),
        createdAt: Type.String(),
      }),
    ),
    observables: Type.Array(
      Type.Object({
        id: Type.Integer(),
        type: Type.String(),
        value: Type.String(),
        firstSeen: Type.String(),
        lastSeen: Type.String(),
        note: Nullable(Type.String()),
        tlp: Nullable(ObservableTlp),
        pap: Nullable(ObservablePap),
        tags: Type.Array(Type.String()),
      }),
    ),
    timeline: Type.Array(
      Type.Object({
        id: Type.Integer(),
        occurredAt: Type.String({ description: 'when it happened (device or reported time), not when it was typed' }),
        recordedAt: Type.String(),
        source: Type.String(),
        actor: Type.String(),
        kind: Type.String(),
        text: Type.String(),
        data: Type.Unknown(),
      }),
    ),
    tasks: Type.Array(Type.Ref('Task')),
    comments: Type.Array(Type.Object({ id: Type.Integer(), author: Type.String(), text: Type.String(), createdAt: Type.String() })),
    evidence: Type.Array(
      Type.Object({
        id: Type.Integer(),
        filename: Type.String(),
        contentType: Type.String(),
        size: Type.Integer(),
        sha256: Type.String(),
        note: Nullable(Type.String()),
        uploadedBy: Type.String(),
        uploadedAt: Type.String(),
      }),
    ),
    phaseHistory: Type.Array(
      Type.Object({ from: Type.String(), to: Type.String(), at: Type.String(), actor: Type.String(), reason: Nullable(Type.String()), override: Type.Boolean(), bypassed: Type.Unknown() }),
    ),
    levelHistory: Type.Array(
      Type.Object({
        fromType: Nullable(Type.String()),
        toType: Type.String(),
        fromLevel: Nullable(Type.Integer()),
        toLevel: Type.Integer(),
        gradingVersion: Type.Integer(),
        at: Type.String(),
        actor: Type.String(),
        reason: Type.String(),
        reasonEn: Nullable(Type.String({ description: 'the reason in English where the product wrote it' })),
      }),
    ),
  },
  { $id: 'IncidentDetail' },
);

export const IncidentListQuery = Type.Object(
  {
    level: Type.Optional(Type.String({ pattern: '^[1-4](,[1-4])*$', description: 'one level or several, comma-separated: 1,2' })),
    phase: Type.Optional(Type.String({ pattern: `^(${PHASES.join('|')})(,(${PHASES.join('|')}))*$`, description: 'one phase or several, comma-separated' })),
    type: Type.Optional(Type.String({ maxLength: 63 })),
    owner: Type.Optional(Type.Integer({ minimum: 1, description: 'owner user id' })),
    orgUnit: Type.Optional(Type.String({ maxLength: 32 })),
    overdue: Type.Optional(Type.Boolean()),
    tag: Type.Optional(Type.String({ minLength: 1, maxLength: OBSERVABLE_TAGS.length, description: 'only incidents carrying this tag' })),
    exercise: Type.Optional(Type.Boolean({ description: 'true: only exercise (drill) incidents; false: only real ones; absent: both' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'text in id, title, description, observables or assets' })),
    sort: Type.Optional(StringEnum(SORTS, { default: 'due', description: 'due = least SLA time left first' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    displayName: Type.String(),
    role: Role,
    disabled: Type.Boolean(),
    orgUnit: Nullable(Type.String()),
    email: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { $id: 'User' },
);

export const ApiTokenInfo = Type.Object(
  {
    id: Type.Integer(),
    userId: Type.Integer(),
    name: Type.String(),
    prefix: Type.String({ description: 'the first characters of the token, to recognise it' }),
    createdAt: Type.String(),
    expiresAt: Nullable(Type.String()),
    lastUsedAt: Nullable(Type.String()),
    revokedAt: Nullable(Type.String()),
    service: Type.Boolean({ description: "a machine's token: kept when its user's password changes or the user is disabled (set by an admin)" }),
  },
  { $id: 'ApiToken' },
);

export const SHARED_SCHEMAS = [ErrorBody, IncidentSummary, TaskBody, IncidentDetail, User, ApiTokenInfo];
