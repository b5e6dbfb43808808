import { defineConfig } from 'drizzle-kit';

// Migrations are generated from every schema file with
//   flock /tmp/drizzle.lock npx drizzle-kit generate --name <what>
// and applied by src/store/migrate.ts when the server starts.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema/*.ts',
  out: './drizzle',
});
