import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseEnv } from './config.ts';

describe('environment parsing', () => {
  const schema = z.object({
    PORT: z.coerce.number().int().max(65535),
    URL: z.url(),
    NAME: z.string().min(3),
  });

  it('lists every problem in one error instead of stopping at the first', () => {
    try {
      parseEnv(schema, { PORT: '99999', URL: 'not a url' });
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('PORT');
      expect(message).toContain('URL');
      expect(message).toContain('NAME');
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });

  it('returns typed values for a good environment', () => {
    expect(parseEnv(schema, { PORT: '8080', URL: 'http://x', NAME: 'abc' })).toEqual({
      PORT: 8080,
      URL: 'http://x',
      NAME: 'abc',
    });
  });
});
