import { createTemplateRepository } from '../../templates/repository.ts';
import type { AwsFeature } from '../aws.ts';
import type { Adapters, Once } from '../context.ts';

export const templatesFeature = (adapters: Adapters, once: Once) => ({
  templates: once('templates', () => createTemplateRepository(adapters.db)),
});

export const awsTemplates: AwsFeature = { feature: templatesFeature };
