export const TEMPLATE_CATEGORIES = [
  'general',
  'marketing',
  'social',
  'education',
  'entertainment',
  'product',
  'travel',
  'nature',
  'abstract',
] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
