/**
 * Custom search attributes, registered on the dev server by the main job and by tests, so the Temporal UI
 * can list and filter applyflow workflows by the business fields. Safe to import from workflow code.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA = {
  /** feed-sync | feed-sync-tick (the schedule's action) | interactive-session | application | campaign */
  kind: defineSearchAttributeKey('ApplyflowKind', SearchAttributeType.KEYWORD),
  /** The workflow's business status (phase for a feed sync, flow status for a session, ...). */
  status: defineSearchAttributeKey('ApplyflowStatus', SearchAttributeType.KEYWORD),
  provider: defineSearchAttributeKey('ApplyflowProvider', SearchAttributeType.KEYWORD),
  jobUrl: defineSearchAttributeKey('ApplyflowJobUrl', SearchAttributeType.KEYWORD),
  profileId: defineSearchAttributeKey('ApplyflowProfileId', SearchAttributeType.KEYWORD),
  campaignId: defineSearchAttributeKey('ApplyflowCampaignId', SearchAttributeType.KEYWORD),
  campaignType: defineSearchAttributeKey('ApplyflowCampaignType', SearchAttributeType.KEYWORD),
  /** The API user who owns the workflow (campaigns, interactive sessions started through the API). */
  userId: defineSearchAttributeKey('ApplyflowUserId', SearchAttributeType.KEYWORD),
  feedPages: defineSearchAttributeKey('ApplyflowFeedPages', SearchAttributeType.INT),
  feedJobsUpserted: defineSearchAttributeKey('ApplyflowFeedJobsUpserted', SearchAttributeType.INT),
  feedJobsExpired: defineSearchAttributeKey('ApplyflowFeedJobsExpired', SearchAttributeType.INT),
  creditsBalance: defineSearchAttributeKey('ApplyflowCreditsBalance', SearchAttributeType.DOUBLE),
} as const;

/** name → type, in the form `temporal server start-dev --search-attribute Name=Type` and the test env take. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: { name: string; type: 'Keyword' | 'Int' | 'Double' }[] = Object.values(SA).map((k) => ({
  name: k.name,
  type: k.type === SearchAttributeType.INT ? 'Int' : k.type === SearchAttributeType.DOUBLE ? 'Double' : 'Keyword',
}));
