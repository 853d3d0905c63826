import { z } from 'zod';

/** The error envelope every failing API request answers with: `{"error": {"code", "message", "field"?}}`. */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional().describe('the input at fault, e.g. rows[0].et'),
  }),
});

export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
