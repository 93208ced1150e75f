export const STAGE_LABEL: Record<string, string> = {
  'base-model': 'Base model',
  'fine-tuning': 'Fine-tuning',
  'post-processing': 'Post-processing',
  deployment: 'Deployment',
  runtime: 'Runtime',
};
