import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./control/store/schema.ts",
  out: "./control/store/migrations",
});
