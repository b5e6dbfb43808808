import type { Clock } from '../shared/clock.ts';
import { UsernameTakenError, type User, type UserChanges, type UsersRepo } from '../store/users-repo.ts';
import { AuthError, unauthenticated } from './auth-errors.ts';
import { DEFAULT_SCRYPT, hashPassword, verifyPassword, type ScryptParams } from './password.ts';
import { permissionsOf } from './permissions.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import type { TokenService } from './token.ts';

/** A user as the API shows it: never the hash. */
export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  unitId: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface IssuedToken {
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  expiresIn: number;
  user: PublicUser;
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
  unitId?: string | null;
  displayName?: string;
}

export interface UpdateUserInput {
  displayName?: string;
  role?: Role;
  unitId?: string | null;
  disabled?: boolean;
}

export interface AuthService {
  login(username: string, password: string): Promise<IssuedToken>;
  /** Rejects with AuthError(401) naming the reason when the token is missing, malformed, expired or revoked. */
  authenticate(token: string | undefined): Promise<Principal>;
  refresh(principal: Principal): Promise<IssuedToken>;
  createUser(input: CreateUserInput): Promise<PublicUser>;
  listUsers(): Promise<PublicUser[]>;
  getUser(id: number): Promise<PublicUser>;
  updateUser(id: number, input: UpdateUserInput, actor: Principal): Promise<PublicUser>;
  changeOwnPassword(principal: Principal, currentPassword: string, newPassword: string): Promise<void>;
  setPassword(id: number, newPassword: string): Promise<void>;
  /** Creates the admin unless an active admin exists. */
  ensureFirstAdmin(username: string, password: string): Promise<'created' | 'exists'>;
  /**
   * Called when a user's tokens are revoked (password, role or unit changed, account disabled), so
   * long-lived connections (socket.io) can be closed at once. Returns an unsubscribe function.
   */
  onRevoked(listener: (userId: number, reason: string) => void): () => void;
  readonly passwordMinLength: number;
}

export interface AuthServiceDeps {
  users: UsersRepo;
  tokens: TokenService;
  clock: Clock;
  passwordMinLength: number;
  /** Lower only in tests. */
  scrypt?: ScryptParams;
  /** Whether a handling unit with this id exists and is active (organisation store); unchecked when absent. */
  unitExists?: (unitId: string) => Promise<boolean>;
}

export const USERNAME_PATTERN = '^[A-Za-z0-9_.-]{3,64}$';

export function toPublicUser(u: User): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    unitId: u.unitId,
    disabled: u.disabled,
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(u.updatedAt).toISOString(),
  };
}

export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { users, tokens, clock } = deps;
  const scryptParams = deps.scrypt ?? DEFAULT_SCRYPT;
  // Verified against when the username is unknown, so a wrong name takes as long as a wrong password.
  let dummyHash: Promise<string> | undefined;
  const revokedListeners = new Set<(userId: number, reason: string) => void>();

  async function update(id: number, changes: UserChanges, reason: string): Promise<User | undefined> {
    const before = await users.byId(id);
    const after = await users.update(id, changes, clock.now());
    if (before && after && after.tokenVersion !== before.tokenVersion) {
      for (const l of revokedListeners) l(id, reason);
    }
    return after;
  }

  function checkPasswordRules(pw: string): void {
    if (pw.length < deps.passwordMinLength) {
      throw new AuthError(400, 'weak-password', `password must be at least ${deps.passwordMinLength} characters`);
    }
    if (pw.length > 1024) throw new AuthError(400, 'weak-password', 'password must be at most 1024 characters');
  }

  async function checkUnit(role: Role, unitId: string | null): Promise<void> {
    if (role === 'unit_handler' && !unitId) {
      throw new AuthError(400, 'unit-required', 'unitId is required for role unit_handler');
    }
    if (role !== 'unit_handler' && unitId) {
      throw new AuthError(400, 'unit-not-allowed', `unitId is only allowed for role unit_handler, not ${role}`);
    }
    if (unitId && deps.unitExists && !(await deps.unitExists(unitId))) {
      throw new AuthError(
        400,
        'unknown-unit',
        `unitId ${JSON.stringify(unitId)} is not an active unit of the organisation`,
      );
    }
  }

  function issue(u: User): IssuedToken {
    const { token, claims } = tokens.issue(u.id, u.tokenVersion);
    return {
      token,
      tokenType: 'Bearer',
      expiresAt: new Date(claims.exp).toISOString(),
      expiresIn: Math.round(tokens.ttlMs / 1000),
      user: toPublicUser(u),
    };
  }

  async function mustGet(id: number): Promise<User> {
    const u = await users.byId(id);
    if (!u) throw new AuthError(404, 'user-not-found', `user ${id} does not exist`);
    return u;
  }

  const service: AuthService = {
    passwordMinLength: deps.passwordMinLength,

    onRevoked(listener) {
      revokedListeners.add(listener);
      return () => revokedListeners.delete(listener);
    },

    async login(username, password) {
      const u = await users.byUsername(username);
      if (!u) {
        dummyHash ??= hashPassword('not-a-real-password', scryptParams);
        await verifyPassword(password, await dummyHash);
        throw unauthenticated('bad-credentials', 'wrong username or password');
      }
      const ok = await verifyPassword(password, u.passwordHash);
      // A disabled account answers exactly like a wrong password: a distinct answer would tell a
      // guesser that the password was right.
      if (!ok || u.disabled) throw unauthenticated('bad-credentials', 'wrong username or password');
      return issue(u);
    },

    async authenticate(token) {
      if (!token) throw unauthenticated('token-missing', 'a token is required: send Authorization: Bearer <token>');
      const check = tokens.verify(token);
      if (!check.ok) {
        const text = {
          malformed: 'the token is malformed',
          'bad-signature': 'the token signature is invalid',
          expired: 'the token has expired; sign in again or refresh it before it expires',
        }[check.reason];
        throw unauthenticated(`token-${check.reason}`, text);
      }
      const u = await users.byId(check.claims.sub);
      if (!u) throw unauthenticated('token-revoked', 'the token belongs to a user that no longer exists');
      if (u.disabled) throw unauthenticated('account-disabled', 'this account is disabled');
      if (u.tokenVersion !== check.claims.ver) {
        throw unauthenticated('token-revoked', 'the token was revoked (password, role or unit changed); sign in again');
      }
      return {
        userId: u.id,
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        unitId: u.unitId,
        permissions: permissionsOf(u.role),
        expiresAt: check.claims.exp,
      };
    },

    async refresh(principal) {
      return issue(await mustGet(principal.userId));
    },

    async createUser(input) {
      checkPasswordRules(input.password);
      const unitId = input.unitId ?? null;
      await checkUnit(input.role, unitId);
      const passwordHash = await hashPassword(input.password, scryptParams);
      try {
        const u = await users.create(
          { username: input.username, displayName: input.displayName ?? '', passwordHash, role: input.role, unitId },
          clock.now(),
        );
        return toPublicUser(u);
      } catch (err) {
        if (err instanceof UsernameTakenError) throw new AuthError(409, 'username-taken', err.message);
        throw err;
      }
    },

    listUsers: async () => (await users.list()).map(toPublicUser),

    getUser: async (id) => toPublicUser(await mustGet(id)),

    async updateUser(id, input, actor) {
      const current = await mustGet(id);
      const role = input.role ?? current.role;
      let unitId = input.unitId !== undefined ? input.unitId : current.unitId;
      // Leaving the unit_handler role drops the unit unless the request says otherwise.
      if (input.role && input.role !== 'unit_handler' && input.unitId === undefined) unitId = null;
      if (unitId !== current.unitId || role !== current.role) await checkUnit(role, unitId);
      const losesAdmin = current.role === 'admin' && !current.disabled && (role !== 'admin' || input.disabled === true);
      if (losesAdmin && (await users.countActiveAdmins()) <= 1) {
        throw new AuthError(409, 'last-admin', 'the last active admin cannot be disabled or given another role');
      }
      if (id === actor.userId && input.disabled === true) {
        throw new AuthError(409, 'self-disable', 'you cannot disable your own account');
      }
      const changes: UserChanges = { role, unitId };
      if (input.displayName !== undefined) changes.displayName = input.displayName;
      if (input.disabled !== undefined) changes.disabled = input.disabled;
      const updated = await update(id, changes, input.disabled === true ? 'account disabled' : 'role or unit changed');
      if (!updated) throw new AuthError(404, 'user-not-found', `user ${id} does not exist`);
      return toPublicUser(updated);
    },

    async changeOwnPassword(principal, currentPassword, newPassword) {
      const u = await mustGet(principal.userId);
      if (!(await verifyPassword(currentPassword, u.passwordHash))) {
        throw new AuthError(403, 'bad-current-password', 'the current password is wrong');
      }
      checkPasswordRules(newPassword);
      await update(u.id, { passwordHash: await hashPassword(newPassword, scryptParams) }, 'password changed');
    },

    async setPassword(id, newPassword) {
      await mustGet(id);
      checkPasswordRules(newPassword);
      await update(id, { passwordHash: await hashPassword(newPassword, scryptParams) }, 'password changed');
    },

    async ensureFirstAdmin(username, password) {
      if ((await users.countActiveAdmins()) > 0) return 'exists';
      const existing = await users.byUsername(username);
      if (existing) {
        // The named account exists but is not an active admin: make it one with the given password.
        checkPasswordRules(password);
        await update(
          existing.id,
          { role: 'admin', unitId: null, disabled: false, passwordHash: await hashPassword(password, scryptParams) },
          'made admin',
        );
        return 'created';
      }
      await service.createUser({ username, password, role: 'admin', displayName: 'Administrator' });
      return 'created';
    },
  };
  return service;
}
