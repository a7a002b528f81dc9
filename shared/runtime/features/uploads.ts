import { createReservationRepository } from '../../uploads/reservations.ts';
import { createUploadService } from '../../uploads/service.ts';
import type { AwsFeature } from '../aws.ts';
import { idempotent, signer } from '../aws-adapters.ts';
import type { Adapters } from '../context.ts';

export const uploadsFeature = (adapters: Adapters) => {
  const reservations = createReservationRepository(adapters.db);
  return {
    reservations,
    uploadService: createUploadService({ reservations, signer: adapters.signer }),
  };
};

export const awsUploads: AwsFeature = {
  feature: uploadsFeature,
  adapters: (env) => ({ ...signer(env), ...idempotent(env) }),
};
