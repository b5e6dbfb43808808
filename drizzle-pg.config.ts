import { defineConfig } from 'drizzle-kit';

// The PostgreSQL dialect (issue 12): migrations generated from the twin schema files with
//   flock /tmp/drizzle.lock npx drizzle-kit generate --config drizzle-pg.config.ts --name <what>
// and applied by src/store/pg/store.ts when the server starts with DATABASE_URL=postgres://…
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema-pg/*.ts',
  out: './drizzle-pg',
});
