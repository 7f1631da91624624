import { z } from 'zod';

/** 's2c' = site→cloud, 'c2s' = cloud→site. Each direction has its own sequence. */
export const DIRECTIONS = ['s2c', 'c2s'] as const;
export const directionSchema = z.enum(DIRECTIONS);
export type Direction = z.infer<typeof directionSchema>;

export const SITE_TO_CLOUD: Direction = 's2c';
export const CLOUD_TO_SITE: Direction = 'c2s';
