import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthService } from '../auth/auth-service.ts';
import type { Role } from '../auth/roles.ts';
import { touchPrivateFile } from '../shared/private-files.ts';
import type { UsersRepo } from '../store/users-repo.ts';
import type { OrganisationService } from '../work-orders/organisation-service.ts';
import type { Caller } from '../work-orders/work-order-service.ts';

export interface DemoAccount {
  username: string;
  role: Role;
  unitId: string | null;
  password: string;
  /** For agents: the simulated phone and the desks. */
  extension?: string;
  skills?: string[];
}

/** The simulated organisation: a city platform and four handling units (art. 3, 8–11). */
export const DEMO_UNITS = [
  { id: 'demo-gx', kind: 'region', name: '广西壮族自治区', parentId: null },
  { id: 'demo-nn', kind: 'city', name: '南宁市', parentId: 'demo-gx' },
  { id: 'demo-cg', kind: 'handling_unit', name: '南宁市城市管理局', parentId: 'demo-nn' },
  { id: 'demo-jj', kind: 'handling_unit', name: '南宁市交警支队', parentId: 'demo-nn' },
  { id: 'demo-sw', kind: 'handling_unit', name: '南宁市水务集团', parentId: 'demo-nn' },
  { id: 'demo-rs', kind: 'handling_unit', name: '南宁市人社局', parentId: 'demo-nn' },
] as const;

const AGENTS: Array<Pick<DemoAccount, 'username' | 'extension' | 'skills'>> = [
  { username: 'demo-agent1', extension: '8001', skills: ['mandarin'] },
  { username: 'demo-agent2', extension: '8002', skills: ['mandarin'] },
  { username: 'demo-agent3', extension: '8003', skills: ['mandarin', 'cantonese'] },
  { username: 'demo-agent4', extension: '8004', skills: ['mandarin', 'zhuang'] },
];

const FILE = 'demo-accounts.json';

/**
 * Creates the demo organisation and accounts once (passwords random, kept 0600 in DATA_DIR/demo-accounts.json so
 * a restart prints the same ones) and returns them.
 */
export async function ensureDemoAccounts(o: {
  dataDir: string;
  auth: AuthService;
  users: UsersRepo;
  organisation: OrganisationService;
  system: Caller;
}): Promise<DemoAccount[]> {
  for (const u of DEMO_UNITS) {
    if (await o.organisation.get(u.id).catch(() => null)) continue;
    await o.organisation.create({ ...u, contacts: [] }, o.system);
  }
  const path = join(o.dataDir, FILE);
  const saved = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DemoAccount[]) : [];
  const want: Array<Omit<DemoAccount, 'password'>> = [
    { username: 'demo-admin', role: 'admin', unitId: null },
    { username: 'demo-supervisor', role: 'supervisor', unitId: null },
    ...AGENTS.map((a) => ({ ...a, role: 'agent' as const, unitId: null })),
    ...DEMO_UNITS.filter((u) => u.kind === 'handling_unit').map((u) => ({
      username: `${u.id}-handler`,
      role: 'unit_handler' as const,
      unitId: u.id,
    })),
  ];
  const out: DemoAccount[] = [];
  for (const w of want) {
    const known = saved.find((s) => s.username === w.username);
    const exists = (await o.users.byUsername(w.username)) !== undefined;
    if (exists && known) {
      out.push({ ...w, password: known.password });
      continue;
    }
    if (exists) continue; // made by someone else: leave it alone, do not print a password we do not know
    const password = `demo-${randomBytes(6).toString('base64url')}`;
    await o.auth.createUser({ username: w.username, password, role: w.role, unitId: w.unitId });
    out.push({ ...w, password });
  }
  // Passwords: the file is made 0600 before they are written into it.
  touchPrivateFile(path);
  writeFileSync(path, JSON.stringify(out, null, 2));
  return out;
}

/** The lines `npm start -- --demo` prints. */
export function describeAccounts(url: string, accounts: DemoAccount[]): string {
  const rows = accounts.map(
    (a) => `  ${a.username.padEnd(22)} ${a.password.padEnd(16)} ${a.role}${a.unitId ? ` (${a.unitId})` : ''}`,
  );
  return [
    '',
    'DEMO: simulated citizens are calling; simulated agents answer and write orders; simulated units sign and reply.',
    `  wallboard:   ${url}/ui/supervisor   (sign in as demo-supervisor)`,
    `  reports:     ${url}/ui/reports      assessment: ${url}/ui/assessment`,
    `  agent desk:  ${url}/ui/agent        (the simulated agents take the calls; sign in as one to watch)`,
    'Demo accounts (also in DATA_DIR/demo-accounts.json):',
    ...rows,
    '',
  ].join('\n');
}
