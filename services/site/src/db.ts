import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.ts';

export { Prisma } from './generated/prisma/client.ts';
export type { PrismaClient };

/** Engine-free client (PLATFORM.md): the pg driver adapter and the JS query compiler. */
export const createPrisma = (connectionString: string) =>
  new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
