export { UpgradeInsights } from './UpgradeInsights';
export { useUpgradeInsights } from './useUpgradeInsights';
export type { UpgradeInsightsState } from './useUpgradeInsights';
