import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { settledUsage } from '../../../accounts/account-ledger.ts';
import { ACCOUNT_STATE_ERRORS, accountStateMissing } from '../../../accounts/account-stub.ts';
import type { AppEnv, Env } from '../../../env.ts';
import { API_KEY_ERRORS, apiKeyAuth } from '../../../middleware/api-key-auth.ts';
import { apiKeySecurity, jsonResponse } from '../../../openapi/index.ts';
import { elevenLabsErrorResponses } from '../errors.ts';
import { D1AccountStore } from '../../../storage/accounts.ts';

/**
 * `GET /elevenlabs/v1/user/subscription` and `GET /elevenlabs/v1/user`: the account's credits as
 * ElevenLabs' subscription. Its character count is what the ledger charged the account this
 * calendar month (UTC; 1 credit = 1 character, voices made included); its limit is that plus the
 * credits left (balance, and what running streams hold), so `limit - count` is what can still be
 * spent. Our credits do not reset: only the count starts again each month. ElevenLabs' plan
 * fields (invoices, professional voices, extensions) are answered empty or false.
 */
export const elevenLabsUserRoute = new Hono<AppEnv>();

const SubscriptionSchema = z
  .object({
    tier: z.literal('pay_as_you_go'),
    character_count: z.number().int().describe('Credits charged this calendar month (UTC), from the ledger.'),
    character_limit: z.number().int().describe('`character_count` plus the credits left now.'),
    max_character_limit_extension: z.null(),
    max_credit_limit_extension: z.literal(0),
    can_extend_character_limit: z.literal(false),
    allowed_to_extend_character_limit: z.literal(false),
    next_character_count_reset_unix: z.number().int().describe('The start of next month (UTC), Unix seconds.'),
    voice_slots_used: z.number().int().describe("The account's cloned and designed voices."),
    voice_limit: z.number().int().describe('How many it may keep.'),
    professional_voice_slots_used: z.literal(0),
    professional_voice_slots_used_in_workspace: z.literal(0),
    professional_voice_limit: z.literal(0),
    max_voice_add_edits: z.null(),
    voice_add_edit_counter: z.literal(0),
    can_extend_voice_limit: z.literal(false),
    can_use_instant_voice_cloning: z.literal(true),
    can_use_professional_voice_cloning: z.literal(false),
    current_overage: z.object({ amount: z.literal('0'), currency: z.literal('usd') }),
    status: z.literal('active'),
    billing_period: z.null(),
    character_refresh_period: z.literal('monthly_period'),
  })
  .meta({ id: 'ElevenLabsSubscription' });
type Subscription = z.infer<typeof SubscriptionSchema>;

const FullSubscriptionSchema = SubscriptionSchema.extend({
  next_invoice: z.null(),
  open_invoices: z.array(z.never()),
  has_open_invoices: z.literal(false),
}).meta({ id: 'ElevenLabsSubscriptionWithInvoices' });

const UserSchema = z
  .object({
    user_id: z.string().describe('The account id.'),
    workspace_id: z.string().describe('The account id: an account is its own workspace.'),
    subscription: SubscriptionSchema,
    first_name: z.string().describe("The account's name."),
    is_new_user: z.literal(false),
    can_use_delayed_payment_methods: z.literal(false),
    is_onboarding_completed: z.literal(true),
    is_onboarding_checklist_completed: z.literal(true),
    is_api_key_hashed: z.literal(true),
    xi_api_key_preview: z.string().describe("The first characters of the key in use."),
    created_at: z.number().int().describe('When the account was made, Unix seconds.'),
    seat_type: z.literal('workspace_admin'),
  })
  .meta({ id: 'ElevenLabsUser' });

/** The first instant of this UTC month and of the next. */
function thisMonth(now = new Date()): { start: Date; next: Date } {
  return { start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), next: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
}

async function subscriptionOf(env: Env, accountId: string): Promise<Subscription> {
  const { start, next } = thisMonth();
  const { snapshot, ledger } = await settledUsage(env, accountId);
  const groups = await ledger.grouped(accountId, start.toISOString(), next.toISOString(), 'kind');
  const used = groups.reduce((sum, group) => sum + group.credits_charged, 0);
  return {
    tier: 'pay_as_you_go',
    character_count: used,
    character_limit: used + snapshot.balance + snapshot.reserved,
    max_character_limit_extension: null,
    max_credit_limit_extension: 0,
    can_extend_character_limit: false,
    allowed_to_extend_character_limit: false,
    next_character_count_reset_unix: Math.floor(next.getTime() / 1000),
    voice_slots_used: snapshot.voices,
    voice_limit: snapshot.limits.max_voices,
    professional_voice_slots_used: 0,
    professional_voice_slots_used_in_workspace: 0,
    professional_voice_limit: 0,
    max_voice_add_edits: null,
    voice_add_edit_counter: 0,
    can_extend_voice_limit: false,
    can_use_instant_voice_cloning: true,
    can_use_professional_voice_cloning: false,
    current_overage: { amount: '0', currency: 'usd' },
    status: 'active',
    billing_period: null,
    character_refresh_period: 'monthly_period',
  };
}

const subscriptionDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsGetSubscription',
  summary: 'Get the subscription (ElevenLabs)',
  description:
    "As ElevenLabs' `GET /v1/user/subscription`: `character_count` is what the ledger charged the account this calendar month (UTC), `character_limit` that plus the credits left. Credits do not reset; the count does, each month.",
  security: apiKeySecurity('usage'),
  responses: { 200: jsonResponse('The subscription.', FullSubscriptionSchema), ...elevenLabsErrorResponses(API_KEY_ERRORS, ACCOUNT_STATE_ERRORS) },
});

const userDocs = describeRoute({
  tags: ['ElevenLabs'],
  operationId: 'elevenLabsGetUser',
  summary: 'Get the user (ElevenLabs)',
  description: "As ElevenLabs' `GET /v1/user`: the account as its user and workspace, with its subscription (as `GET /elevenlabs/v1/user/subscription`).",
  security: apiKeySecurity('usage'),
  responses: { 200: jsonResponse('The user.', UserSchema), ...elevenLabsErrorResponses(API_KEY_ERRORS, ACCOUNT_STATE_ERRORS) },
});

elevenLabsUserRoute.get('/v1/user/subscription', subscriptionDocs, apiKeyAuth('usage'), async (c) => {
  const subscription = await subscriptionOf(c.env, c.get('apiKey').account_id);
  return c.json({ ...subscription, next_invoice: null, open_invoices: [], has_open_invoices: false } satisfies z.infer<typeof FullSubscriptionSchema>);
});

elevenLabsUserRoute.get('/v1/user', userDocs, apiKeyAuth('usage'), async (c) => {
  const key = c.get('apiKey');
  const [subscription, account] = await Promise.all([subscriptionOf(c.env, key.account_id), new D1AccountStore(c.env.DB).get(key.account_id)]);
  if (!account) throw accountStateMissing(key.account_id, 'record');
  return c.json({
    user_id: account.id,
    workspace_id: account.id,
    subscription,
    first_name: account.name,
    is_new_user: false,
    can_use_delayed_payment_methods: false,
    is_onboarding_completed: true,
    is_onboarding_checklist_completed: true,
    is_api_key_hashed: true,
    xi_api_key_preview: key.prefix,
    created_at: Math.floor(Date.parse(account.created_at) / 1000),
    seat_type: 'workspace_admin',
  } satisfies z.infer<typeof UserSchema>);
});
