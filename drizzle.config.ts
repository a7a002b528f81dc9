import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './shared/db/tables.ts',
  out: './shared/db/migrations',
});
