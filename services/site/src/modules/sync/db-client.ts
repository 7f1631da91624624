import type { PrismaClient } from '../../db.ts';

/** A client or the transaction client of `prisma.$transaction(async (tx) => …)`. */
export type Db = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;
