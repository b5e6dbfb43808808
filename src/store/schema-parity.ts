/**
 * Parity of the two schema dialects (issue 12). drizzle has no dialect-neutral schema, so every table is written
 * twice: src/store/schema/*.ts (SQLite) and src/store/schema-pg/*.ts (PostgreSQL), with the same table names,
 * property names and column names. Two checks keep them equal:
 *  - at compile time (tsc), the row types drizzle infers (select and insert) must be the same for each pair
 *    below; a column in one dialect only, or with another type or nullability, is a type error naming the table;
 *  - at test time (test/store/schema-parity.test.ts), `schemaDifferences()` compares every exported table of
 *    both dialects by SQL column name, so a table or column missing from the pairs is reported too.
 * How to add a column or a table to both: src/store/README.md.
 */
import { getTableColumns, getTableName, is, type Table } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as sAssessment from './schema/assessment.ts';
import * as sAudit from './schema/audit.ts';
import * as sCalendar from './schema/calendar.ts';
import * as sCalls from './schema/calls.ts';
import * as sExchange from './schema/exchange.ts';
import * as sKnowledge from './schema/knowledge.ts';
import * as sOrganisation from './schema/organisation.ts';
import * as sRota from './schema/rota.ts';
import * as sSignIns from './schema/sign-ins.ts';
import * as sUsers from './schema/users.ts';
import * as sWorkOrders from './schema/work-orders.ts';
import * as pAssessment from './schema-pg/assessment.ts';
import * as pAudit from './schema-pg/audit.ts';
import * as pCalendar from './schema-pg/calendar.ts';
import * as pCalls from './schema-pg/calls.ts';
import * as pExchange from './schema-pg/exchange.ts';
import * as pKnowledge from './schema-pg/knowledge.ts';
import * as pOrganisation from './schema-pg/organisation.ts';
import * as pRota from './schema-pg/rota.ts';
import * as pSignIns from './schema-pg/sign-ins.ts';
import * as pUsers from './schema-pg/users.ts';
import * as pWorkOrders from './schema-pg/work-orders.ts';

const SQLITE_MODULES = [
  sAssessment,
  sAudit,
  sCalendar,
  sCalls,
  sExchange,
  sKnowledge,
  sOrganisation,
  sRota,
  sSignIns,
  sUsers,
  sWorkOrders,
];
const PG_MODULES = [
  pAssessment,
  pAudit,
  pCalendar,
  pCalls,
  pExchange,
  pKnowledge,
  pOrganisation,
  pRota,
  pSignIns,
  pUsers,
  pWorkOrders,
];

/** Every table of both dialects, by export name. Add a new table here (and in both schema folders). */
type Pairs = {
  auditLog: [typeof sAudit.auditLog, typeof pAudit.auditLog];
  calendarYears: [typeof sCalendar.calendarYears, typeof pCalendar.calendarYears];
  calls: [typeof sCalls.calls, typeof pCalls.calls];
  callLegs: [typeof sCalls.callLegs, typeof pCalls.callLegs];
  callWorkOrders: [typeof sCalls.callWorkOrders, typeof pCalls.callWorkOrders];
  callbacks: [typeof sCalls.callbacks, typeof pCalls.callbacks];
  callbackAttempts: [typeof sCalls.callbackAttempts, typeof pCalls.callbackAttempts];
  leaderRota: [typeof sRota.leaderRota, typeof pRota.leaderRota];
  agentSignIns: [typeof sSignIns.agentSignIns, typeof pSignIns.agentSignIns];
  exchangeOutbox: [typeof sExchange.exchangeOutbox, typeof pExchange.exchangeOutbox];
  exchangeInbound: [typeof sExchange.exchangeInbound, typeof pExchange.exchangeInbound];
  intakeReceipts: [typeof sExchange.intakeReceipts, typeof pExchange.intakeReceipts];
  assessmentWeights: [typeof sAssessment.assessmentWeights, typeof pAssessment.assessmentWeights];
  assessmentManualScores: [typeof sAssessment.assessmentManualScores, typeof pAssessment.assessmentManualScores];
  assessmentPublications: [typeof sAssessment.assessmentPublications, typeof pAssessment.assessmentPublications];
  recordings: [typeof sCalls.recordings, typeof pCalls.recordings];
  recordingIndex: [typeof sCalls.recordingIndex, typeof pCalls.recordingIndex];
  callAlerts: [typeof sCalls.callAlerts, typeof pCalls.callAlerts];
  knowledgeEntries: [typeof sKnowledge.knowledgeEntries, typeof pKnowledge.knowledgeEntries];
  knowledgeQuestions: [typeof sKnowledge.knowledgeQuestions, typeof pKnowledge.knowledgeQuestions];
  orgUnits: [typeof sOrganisation.orgUnits, typeof pOrganisation.orgUnits];
  orgUnitContacts: [typeof sOrganisation.orgUnitContacts, typeof pOrganisation.orgUnitContacts];
  users: [typeof sUsers.users, typeof pUsers.users];
  workOrderCategories: [typeof sWorkOrders.workOrderCategories, typeof pWorkOrders.workOrderCategories];
  workOrders: [typeof sWorkOrders.workOrders, typeof pWorkOrders.workOrders];
  workOrderUnits: [typeof sWorkOrders.workOrderUnits, typeof pWorkOrders.workOrderUnits];
  workOrderAttachments: [typeof sWorkOrders.workOrderAttachments, typeof pWorkOrders.workOrderAttachments];
  workOrderTasks: [typeof sWorkOrders.workOrderTasks, typeof pWorkOrders.workOrderTasks];
  supervisionNotices: [typeof sWorkOrders.supervisionNotices, typeof pWorkOrders.supervisionNotices];
  smsMessages: [typeof sWorkOrders.smsMessages, typeof pWorkOrders.smsMessages];
  assessmentAppeals: [typeof sWorkOrders.assessmentAppeals, typeof pWorkOrders.assessmentAppeals];
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Row<K extends keyof Pairs, I extends 0 | 1> = Pairs[K][I]['$inferSelect'];
type NewRow<K extends keyof Pairs, I extends 0 | 1> = Pairs[K][I]['$inferInsert'];
/** `true` when both dialects infer the same rows; otherwise a message that tsc prints with the table's name. */
type Parity<K extends keyof Pairs> =
  Same<Row<K, 0>, Row<K, 1>> extends true
    ? Same<NewRow<K, 0>, NewRow<K, 1>> extends true
      ? true
      : `${K}: the insert rows differ between schema/ and schema-pg/ (a default or notNull in one dialect only?)`
    : `${K}: the row types differ between schema/ and schema-pg/ (a column in one dialect only, or another type?)`;

/** The compile-time check: each entry must be `true`; a difference makes this object fail to type-check. */
export const COMPILE_TIME_PARITY: { [K in keyof Pairs]: Parity<K> } = {
  auditLog: true,
  calendarYears: true,
  calls: true,
  callLegs: true,
  callWorkOrders: true,
  callbacks: true,
  callbackAttempts: true,
  leaderRota: true,
  agentSignIns: true,
  exchangeOutbox: true,
  exchangeInbound: true,
  intakeReceipts: true,
  assessmentWeights: true,
  assessmentManualScores: true,
  assessmentPublications: true,
  recordings: true,
  recordingIndex: true,
  callAlerts: true,
  knowledgeEntries: true,
  knowledgeQuestions: true,
  orgUnits: true,
  orgUnitContacts: true,
  users: true,
  workOrderCategories: true,
  workOrders: true,
  workOrderUnits: true,
  workOrderAttachments: true,
  workOrderTasks: true,
  supervisionNotices: true,
  smsMessages: true,
  assessmentAppeals: true,
};

/** Table name → (column name → "notNull,default" facts) of every table exported by a dialect's schema files. */
function describeTables(modules: readonly Record<string, unknown>[], kind: typeof PgTable | typeof SQLiteTable) {
  const tables = new Map<string, { exportName: string; columns: Map<string, string> }>();
  for (const m of modules)
    for (const [exportName, value] of Object.entries(m)) {
      if (!is(value, kind)) continue;
      const columns = new Map<string, string>();
      for (const c of Object.values(getTableColumns(value as Table)))
        columns.set(c.name, `${c.notNull ? 'not null' : 'null'}${c.hasDefault ? ', default' : ''}`);
      tables.set(getTableName(value as Table), { exportName, columns });
    }
  return tables;
}

/** Every difference between the dialects' tables and columns, and tables the compile-time pairs leave out. */
export function schemaDifferences(): string[] {
  const lite = describeTables(SQLITE_MODULES, SQLiteTable);
  const pg = describeTables(PG_MODULES, PgTable);
  const out: string[] = [];
  for (const name of new Set([...lite.keys(), ...pg.keys()])) {
    const a = lite.get(name);
    const b = pg.get(name);
    if (!a || !b) {
      out.push(`table ${name} exists only in ${a ? 'src/store/schema (SQLite)' : 'src/store/schema-pg (PostgreSQL)'}`);
      continue;
    }
    if (a.exportName !== b.exportName) out.push(`table ${name} is exported as ${a.exportName} and ${b.exportName}`);
    if (!(a.exportName in COMPILE_TIME_PARITY))
      out.push(`table ${name} (${a.exportName}) is missing from the pairs in src/store/schema-parity.ts`);
    for (const col of new Set([...a.columns.keys(), ...b.columns.keys()])) {
      const x = a.columns.get(col);
      const y = b.columns.get(col);
      if (x === undefined || y === undefined)
        out.push(`column ${name}.${col} exists only in ${x !== undefined ? 'SQLite' : 'PostgreSQL'}`);
      else if (x !== y) out.push(`column ${name}.${col} is "${x}" in SQLite but "${y}" in PostgreSQL`);
    }
  }
  return out;
}
